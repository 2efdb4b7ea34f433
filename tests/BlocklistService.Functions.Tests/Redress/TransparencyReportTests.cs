using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Redress;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Redress;

/// <remarks>Runs twice: on the memory stores (<see cref="TransparencyReportTestsOnMemory"/>) and on Azurite (<see cref="TransparencyReportTestsOnAzurite"/>).</remarks>
public abstract class TransparencyReportTests(AzuriteFixture? azurite) : TwoStoreApiTests(azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 10, 20, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_report_request_leaves_a_backlog_to_the_publisher_and_says_how_far_its_figures_go()
    {
        await using var api = StartApi();
        var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "backlog-auditor");
        var log = api.Services.GetRequiredService<PublishRunner>().Log;
        var backlog = ReportAggregates.LeavesPerPass + 500;
        var (size, appended) = (0L, 0L);
        for (var version = 1L; appended < backlog; version++)
        {
            var count = (int)Math.Min(4096, backlog - appended);
            size = (await log.AppendBatchAsync("eu", version, $"plan-{version}", Adds(appended, count, version), Start, CancellationToken.None)).Size;
            appended += count;
        }

        var first = await (await auditor.GetAsync("/api/v1/audit/report?from=2026-10&to=2026-10")).JsonAsync();
        var counted = await api.Services.GetRequiredService<ReportAggregates>().CatchUpAsync(CancellationToken.None);
        var after = await (await auditor.GetAsync("/api/v1/audit/report?from=2026-10&to=2026-10")).JsonAsync();
        var newer = (await log.AppendBatchAsync("eu", 100, "plan-100", Adds(appended, 10, 100), Start, CancellationToken.None)).Size;
        var fresh = await (await auditor.GetAsync("/api/v1/audit/report?from=2026-10&to=2026-10")).JsonAsync();

        // the request left the backlog of more than one pass to the publisher and said how far its figures go
        Assert.Equal(0, first.GetProperty("through").GetInt64());
        Assert.False(Rows(first).ContainsKey("2026-10|eu"));
        // the publisher's count covers the log; a request then counts the few leaves appended since (decisions, normally)
        Assert.Equal(size, counted);
        Assert.Equal(size, after.GetProperty("through").GetInt64());
        Assert.Equal(appended, Rows(after)["2026-10|eu"].GetProperty("figures").GetProperty("added").GetProperty("total").GetInt64());
        Assert.Equal(newer, fresh.GetProperty("through").GetInt64());
        Assert.Equal(appended + 10, Rows(fresh)["2026-10|eu"].GetProperty("figures").GetProperty("added").GetProperty("total").GetInt64());
    }

    private static List<byte[]> Adds(long start, int count, long version)
    {
        var leaves = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var expression = $"backlog{start + i}.example/page";
            leaves.Add(new LogLeaf
            {
                Kind = LogLeafKind.Add,
                List = ListName.Parse("eu"),
                Version = version,
                EntryId = EntryId.ForExpression(expression),
                Expression = expression,
                Scope = EntryScope.Exact,
                Category = "csam",
                Hotline = "backlog-hotline",
                Reference = $"REF-{start + i}",
                VerifiedAt = Start,
                PublishedAt = Start,
            }.ToJson());
        }

        return leaves;
    }

    [Fact]
    public async Task The_monthly_figures_equal_a_count_from_scratch_over_the_leaves_and_survive_a_lost_head()
    {
        var clock = new ManualTime(Start);
        await using var api = StartApi(new Dictionary<string, string?>
        {
            ["Ingest:Categories:0"] = "csam",
            ["Ingest:Categories:1"] = "grooming",
        }, services => services.AddSingleton<TimeProvider>(clock));
        var (one, _) = await api.ClientForAsync(Roles.Hotline, "hotline-one");
        var (two, _) = await api.ClientForAsync(Roles.Hotline, "hotline-two");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "report-admin");
        var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "report-auditor");

        // October: adds of every scope and two categories, on two lists, by two hotlines; one backing due to expire
        await SubmitAsync(one, Add("http://a.example/1", "exact", "csam", ["eu"], Start.AddDays(-1), Start.AddDays(10)),
            Add("http://b.example/dir/", "path", "grooming", ["eu", "uk"], Start.AddDays(-1)), Add("http://c.example/", "host", "csam", ["eu"], Start.AddDays(-1)));
        await SubmitAsync(two, Add("http://a.example/1", "exact", "csam", ["eu"], Start.AddDays(-1)), Add("http://d.example/x", "exact", "csam", ["uk"], Start.AddDays(-1)));
        await Publish(admin);
        // November: a withdrawal (another backing stays), a removal, an expiry, a re-listing; an appeal upheld
        clock.Advance(TimeSpan.FromDays(15));
        await SubmitAsync(one, Remove("http://a.example/1", "exact", ["eu"]), Remove("http://c.example/", "host", ["eu"]));
        await Publish(admin);
        clock.Advance(TimeSpan.FromDays(3));
        await SubmitAsync(one, Add("http://c.example/", "host", "csam", ["eu"], clock.GetUtcNow().AddHours(-1)));
        await Publish(admin);
        var appeal = await (await api.CreateClient().PostAsJsonAsync("/api/v1/appeals", AppealTests.Appeal("http://d.example/x"))).JsonAsync();
        clock.Advance(TimeSpan.FromDays(30)); // December
        await api.CreateClient().PostAsJsonAsync("/api/v1/appeals", AppealTests.Appeal("http://unlisted.example/"));
        var decided = await admin.PostAsJsonAsync($"/api/v1/appeals/{appeal.GetProperty("ticket").GetString()}/decision",
            new { decision = "uphold", reason = "Re-assessed: not abuse material.", analyst = "analyst-x" });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        await Publish(admin);

        var report = await (await auditor.GetAsync("/api/v1/audit/report?from=2026-10&to=2026-12")).JsonAsync();
        var expected = await FromScratchAsync(auditor);

        Assert.Equal(expected.Keys.Order(), Rows(report).Keys.Order());
        foreach (var (key, row) in Rows(report))
        {
            Assert.Equal(expected[key], Figures(row));
        }

        Assert.Contains("2026-11|eu", expected.Keys);
        Assert.Contains("removed=1", expected["2026-11|eu"]);
        Assert.Contains("expired=1", expected["2026-11|eu"]);
        var appeals = report.GetProperty("appeals").EnumerateArray().ToDictionary(a => a.GetProperty("month").GetString()!);
        Assert.Equal(1, appeals["2026-11"].GetProperty("received").GetInt64());
        Assert.Equal(1, appeals["2026-12"].GetProperty("received").GetInt64());
        Assert.Equal(1, appeals["2026-12"].GetProperty("upheld").GetInt64());
        Assert.Equal(30 * 24, appeals["2026-12"].GetProperty("medianHoursToDecision").GetDouble());

        // a crash after the rows were written but before the head moved: counting again changes nothing
        await api.Rows.DeleteAsync(StorageNames.ReportMonths, [("report", "head")], CancellationToken.None);
        var again = await (await auditor.GetAsync("/api/v1/audit/report?from=2026-10&to=2026-12")).JsonAsync();
        Assert.Equal(Rows(report).ToDictionary(r => r.Key, r => Figures(r.Value)), Rows(again).ToDictionary(r => r.Key, r => Figures(r.Value)));

        var csv = await (await admin.GetAsync("/api/v1/audit/report?from=2026-11-05&to=2026-11-30&format=csv")).Content.ReadAsStringAsync();
        Assert.StartsWith("month,list,figure,breakdown,value\r\n", csv);
        Assert.Contains("2026-11,eu,removed,,1\r\n", csv);
        Assert.Contains("2026-11,eu,expired,hotline:hotline-one,1\r\n", csv);
        Assert.DoesNotContain("2026-10,", csv);
    }

    [Fact]
    public async Task Only_auditors_and_admins_read_the_report_and_bad_ranges_name_the_field()
    {
        await using var api = StartApi();
        var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "report-auditor");
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "report-hotline");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "report-isp", "eu");

        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/v1/audit/report?from=2026-01&to=2026-12")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hotline.GetAsync("/api/v1/audit/report?from=2026-01&to=2026-12")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await isp.GetAsync("/api/v1/audit/report?from=2026-01&to=2026-12")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync("/api/v1/audit/report?from=2026-01&to=2026-12")).StatusCode);
        foreach (var (query, field) in new[] { ("to=2026-12", "from"), ("from=2026-13&to=2026-12", "from"), ("from=2026-05&to=2026-01", "to"), ("from=2000-01&to=2026-12", "to"), ("from=2026-01&to=2026-02&format=xml", "format") })
        {
            var response = await auditor.GetAsync("/api/v1/audit/report?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), query);
        }
    }

    /// <summary>The figures counted directly from every leaf's JSON, replaying each listing to measure its length.</summary>
    private static async Task<Dictionary<string, string>> FromScratchAsync(HttpClient auditor)
    {
        var page = await (await auditor.GetAsync("/api/v1/audit/log/leaves?start=0")).JsonAsync();
        var leaves = page.GetProperty("leaves").EnumerateArray().Select(l => JsonDocument.Parse(l.GetProperty("leaf").GetString()!).RootElement.Clone()).ToList();
        var counts = new Dictionary<string, SortedDictionary<string, long>>();
        var listedSince = new Dictionary<(string List, string Entry), DateTimeOffset>();
        var days = new Dictionary<string, List<long>>();
        void Count(string key, string figure) => (counts.TryGetValue(key, out var c) ? c : counts[key] = new SortedDictionary<string, long>(StringComparer.Ordinal))[figure] =
            counts[key].GetValueOrDefault(figure) + 1;
        foreach (var leaf in leaves)
        {
            if (leaf.GetProperty("format").GetString() != "blocklist-log-leaf/1")
            {
                var decision = leaf.GetProperty("decision").GetString();
                if (leaf.GetProperty("subject").GetProperty("list").GetString() is { } decidedList && decision is "revert" or "hold-approve" or "hold-reject")
                {
                    Count(Month(leaf.GetProperty("decidedAt")) + "|" + decidedList, decision);
                }

                continue;
            }

            var (list, entry, kind) = (leaf.GetProperty("list").GetString()!, leaf.GetProperty("entryId").GetString()!, leaf.GetProperty("kind").GetString()!);
            var at = DateTimeOffset.Parse(leaf.GetProperty("publishedAt").GetString()!, CultureInfo.InvariantCulture);
            var key = Month(leaf.GetProperty("publishedAt")) + "|" + list;
            var name = kind switch { "add" => "added", "remove" => "removed", "expire" => "expired", _ => "withdrawn" };
            Count(key, name);
            if (name != "withdrawn")
            {
                Count(key, $"{name}.category.{leaf.GetProperty("category").GetString()}");
                Count(key, $"{name}.scope.{leaf.GetProperty("scope").GetString()}");
                Count(key, $"{name}.hotline.{leaf.GetProperty("hotline").GetString() ?? "-"}");
            }

            if (kind == "add")
            {
                listedSince.TryAdd((list, entry), at);
            }
            else if (kind is "remove" or "expire")
            {
                (days.TryGetValue(key, out var d) ? d : days[key] = []).Add((long)Math.Floor((at - listedSince[(list, entry)]).TotalDays));
                listedSince.Remove((list, entry));
            }
        }

        return counts.ToDictionary(c => c.Key, c =>
        {
            var sorted = days.GetValueOrDefault(c.Key)?.Order().ToList();
            c.Value["median-days"] = sorted is { Count: > 0 } ? sorted[(sorted.Count - 1) / 2] : -1;
            return string.Join(';', c.Value.Where(kv => kv.Value != 0).Select(kv => $"{kv.Key}={kv.Value}"));
        });
    }

    /// <summary>A report row in the same notation as <see cref="FromScratchAsync"/>.</summary>
    private static string Figures(JsonElement row)
    {
        var figures = row.GetProperty("figures");
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in new[] { "added", "removed", "expired" })
        {
            var part = figures.GetProperty(name);
            counts[name] = part.GetProperty("total").GetInt64();
            foreach (var (breakdown, property) in new[] { ("category", "byCategory"), ("scope", "byScope"), ("hotline", "byHotline") })
            {
                foreach (var item in part.GetProperty(property).EnumerateObject())
                {
                    counts[$"{name}.{breakdown}.{item.Name}"] = item.Value.GetInt64();
                }
            }
        }

        counts["withdrawn"] = figures.GetProperty("withdrawn").GetInt64();
        counts["revert"] = figures.GetProperty("reverted").GetInt64();
        counts["hold-approve"] = figures.GetProperty("holdsApproved").GetInt64();
        counts["hold-reject"] = figures.GetProperty("holdsRejected").GetInt64();
        counts["median-days"] = row.GetProperty("medianListingDays").ValueKind == JsonValueKind.Null ? -1 : row.GetProperty("medianListingDays").GetInt64();
        return string.Join(';', counts.Where(kv => kv.Value != 0).Select(kv => $"{kv.Key}={kv.Value}"));
    }

    private static Dictionary<string, JsonElement> Rows(JsonElement report) =>
        report.GetProperty("lists").EnumerateArray().ToDictionary(r => r.GetProperty("month").GetString() + "|" + r.GetProperty("list").GetString());

    private static string Month(JsonElement time) => DateTimeOffset.Parse(time.GetString()!, CultureInfo.InvariantCulture).UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static JsonObject Add(string url, string scope, string category, string[] lists, DateTimeOffset verifiedAt, DateTimeOffset? reviewBy = null)
    {
        var item = Payloads.Add(url, scope, lists);
        item["category"] = category;
        item["verifiedAt"] = Iso(verifiedAt);
        if (reviewBy is { } due)
        {
            item["reviewBy"] = Iso(due);
        }

        return item;
    }

    private static JsonObject Remove(string url, string scope, string[] lists) => Payloads.Remove(url, scope, lists);

    private static string Iso(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task SubmitAsync(HttpClient hotline, params JsonNode[] items)
    {
        var response = await hotline.SendAsync(Payloads.Post(Payloads.Body(items)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(0, (await response.JsonAsync()).GetProperty("rejected").GetInt32());
    }

    private static async Task Publish(HttpClient admin) =>
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"))).StatusCode);
}

public sealed class TransparencyReportTestsOnMemory() : TransparencyReportTests(azurite: null);

public sealed class TransparencyReportTestsOnAzurite(AzuriteFixture azurite) : TransparencyReportTests(azurite), IClassFixture<AzuriteFixture>;
