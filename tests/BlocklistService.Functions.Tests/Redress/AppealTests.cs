using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Redress;

/// <remarks>Runs twice: on the memory stores (<see cref="AppealTestsOnMemory"/>) and on Azurite (<see cref="AppealTestsOnAzurite"/>).</remarks>
public abstract class AppealTests(AzuriteFixture? azurite) : TwoStoreApiTests(azurite)
{
    private const string Listed = "http://listed.example/a";
    private const string Unlisted = "http://unlisted.example/a";

    [Fact]
    public async Task Filing_answers_alike_for_listed_and_unlisted_urls_and_reads_nothing()
    {
        var recorder = new RecordingRows();

        // key cache off: its background refresh (keys were just used to publish) would show up among the recorded calls
        await using var api = StartApi(
            new Dictionary<string, string?> { ["Auth:KeyCacheTtl"] = "00:00:00" },
            services => services.AddSingleton<IRowStore>(provider => recorder.Around(provider.GetRequiredService<PublishStorage>().Rows)));
        await PublishAsync(api, "appeal-hotline", Listed);
        using var anonymous = api.CreateClient();

        recorder.Clear();
        var listed = await anonymous.PostAsJsonAsync("/api/v1/appeals", Appeal(Listed));
        var listedCalls = recorder.Clear();
        var unlisted = await anonymous.PostAsJsonAsync("/api/v1/appeals", Appeal(Unlisted));
        var unlistedCalls = recorder.Clear();

        Assert.Equal(HttpStatusCode.Accepted, listed.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, unlisted.StatusCode);
        Assert.Equal(Shape(await listed.JsonAsync()), Shape(await unlisted.JsonAsync()));
        Assert.Equal(HeaderNames(listed), HeaderNames(unlisted));
        Assert.Equal(["add appeals"], listedCalls);
        Assert.Equal(listedCalls, unlistedCalls);
        var rows = await api.RowsAsync(StorageNames.Appeals, "appeal");
        Assert.Equal(2, rows.Count);
        Assert.Equal(rows[0].Properties.Keys.Order(), rows[1].Properties.Keys.Order());
        Assert.All(rows, row => Assert.Equal("open", row.GetString("Status")));
    }

    [Fact]
    public async Task The_secret_shows_the_status_it_is_stored_only_as_a_hash_and_anything_else_is_the_same_404()
    {
        await using var api = StartApi();
        using var anonymous = api.CreateClient();
        var receipt = await (await anonymous.PostAsJsonAsync("/api/v1/appeals", Appeal(Unlisted))).JsonAsync();
        var (ticket, secret) = (receipt.GetProperty("ticket").GetString()!, receipt.GetProperty("secret").GetString()!);

        var right = await StatusAsync(anonymous, ticket, secret);
        var wrong = await StatusAsync(anonymous, ticket, secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A'));
        var none = await StatusAsync(anonymous, ticket, null);
        var unknown = await StatusAsync(anonymous, "a" + new string('0', 24), secret);
        var row = (await api.RowsAsync(StorageNames.Appeals, "appeal")).Single();

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        var status = await right.JsonAsync();
        Assert.Equal("open", status.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("decision").ValueKind);
        foreach (var refused in new[] { wrong, none, unknown })
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        }

        Assert.Equal(Problem(await wrong.JsonAsync()), Problem(await unknown.JsonAsync()));
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(secret)), row.GetBinary("SecretSha256"));
        Assert.DoesNotContain(row.Properties, p => p.Value is string s && s.Contains(secret, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"url":"","contact":"owner@site.example","statement":"not abuse"}""", "url")]
    [InlineData("""{"url":"http:///no-host","contact":"owner@site.example","statement":"not abuse"}""", "url")]
    [InlineData("""{"url":"http://site.example/","statement":"not abuse"}""", "contact")]
    [InlineData("""{"url":"http://site.example/","contact":"a\u0007b","statement":"not abuse"}""", "contact")]
    [InlineData("""{"url":"http://site.example/","contact":"owner@site.example"}""", "statement")]
    [InlineData("""{"url":"http://site.example/","contact":"owner@site.example","statement":42}""", "statement")]
    [InlineData("""{"url":"http://site.example/","contact":""", "contact")]
    public async Task A_bad_appeal_is_refused_naming_the_field_and_stores_nothing(string json, string field)
    {
        await using var api = StartApi();
        using var anonymous = api.CreateClient();

        var response = await anonymous.PostAsync("/api/v1/appeals", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Empty(await api.RowsAsync(StorageNames.Appeals, "appeal"));
    }

    [Fact]
    public async Task A_statement_over_the_limit_is_refused()
    {
        await using var api = StartApi(new Dictionary<string, string?> { ["Appeals:MaxStatementLength"] = "100" });
        using var anonymous = api.CreateClient();

        var response = await anonymous.PostAsJsonAsync("/api/v1/appeals", new { url = Unlisted, contact = "owner@site.example", statement = new string('x', 101) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 100", (await response.JsonAsync()).GetProperty("errors").GetProperty("statement")[0].GetString());
    }

    [Fact]
    public async Task Filing_is_limited_per_client_address_with_429_and_retry_after()
    {
        await using var api = StartApi(new Dictionary<string, string?>
        {
            ["Appeals:PermitsPerWindow"] = "2",
            ["Appeals:Window"] = "01:00:00",
            ["Appeals:ClientAddressHeader"] = "X-Forwarded-For",
        });
        using var anonymous = api.CreateClient();

        var first = await FileFromAsync(anonymous, "198.51.100.7");
        var second = await FileFromAsync(anonymous, "203.0.113.99, 198.51.100.7:50123");
        var third = await FileFromAsync(anonymous, "198.51.100.7");
        var other = await FileFromAsync(anonymous, "198.51.100.8");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.InRange(third.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3600);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        Assert.Equal(3, (await api.RowsAsync(StorageNames.Appeals, "appeal")).Count);
    }

    [Fact]
    public async Task A_hotline_sees_only_appeals_about_entries_it_backs_and_an_admin_sees_all_with_stale_ones_flagged()
    {
        var clock = new ManualTime(DateTimeOffset.UtcNow);
        await using var api = StartApi(new Dictionary<string, string?> { ["Appeals:StaleAfter"] = "7.00:00:00" },
            services => services.AddSingleton<TimeProvider>(clock));
        await PublishAsync(api, "backing-hotline", Listed);
        var (backing, _) = await api.ClientForAsync(Roles.Hotline, "backing-hotline");
        var (other, _) = await api.ClientForAsync(Roles.Hotline, "other-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "appeal-admin");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "appeal-isp", "eu");
        using var anonymous = api.CreateClient();
        var old = (await (await anonymous.PostAsJsonAsync("/api/v1/appeals", Appeal(Listed + "?page=2"))).JsonAsync()).GetProperty("ticket").GetString();
        clock.Advance(TimeSpan.FromDays(8));
        await anonymous.PostAsJsonAsync("/api/v1/appeals", Appeal(Unlisted));

        var forBacking = await (await backing.GetAsync("/api/v1/appeals?status=open")).JsonAsync();
        var forOther = await (await other.GetAsync("/api/v1/appeals?status=open")).JsonAsync();
        var forAdmin = await (await admin.GetAsync("/api/v1/appeals?status=open")).JsonAsync();

        var seen = Assert.Single(forBacking.GetProperty("appeals").EnumerateArray());
        Assert.Equal(old, seen.GetProperty("ticket").GetString());
        var concern = Assert.Single(seen.GetProperty("concerns").EnumerateArray());
        Assert.Equal("listed.example/a", concern.GetProperty("expression").GetString());
        Assert.Equal("eu", concern.GetProperty("list").GetString());
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("contact").ValueKind);
        Assert.Empty(forOther.GetProperty("appeals").EnumerateArray());
        var all = forAdmin.GetProperty("appeals").EnumerateArray().ToList();
        Assert.Equal(2, all.Count);
        Assert.Equal([true, false], all.Select(a => a.GetProperty("stale").GetBoolean()));
        Assert.All(all, a => Assert.Equal("owner@site.example", a.GetProperty("contact").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await isp.GetAsync("/api/v1/appeals")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/appeals")).StatusCode);
        var invalid = await admin.GetAsync("/api/v1/appeals?status=closed");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.True((await invalid.JsonAsync()).GetProperty("errors").TryGetProperty("status", out _));
    }

    internal static object Appeal(string url) => new { url, contact = "owner@site.example", statement = "This page is my shop's product page; it never hosted abuse material." };

    internal static async Task PublishAsync(ApiFactory api, string hotline, params string[] urls)
    {
        var (client, _) = await api.ClientForAsync(Roles.Hotline, hotline);
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "publisher");
        // verified just now, so no backing reaches its review-by date (and expires) during the test
        var items = urls.Select(u => (System.Text.Json.Nodes.JsonNode)Payloads.Add(u)).ToArray();
        foreach (var item in items)
        {
            item["verifiedAt"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        }

        var submitted = await client.SendAsync(Payloads.Post(Payloads.Body(items)));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"))).StatusCode);
    }

    private static string Problem(JsonElement problem) =>
        string.Join('|', new[] { "type", "title", "status", "detail" }.Select(name => problem.GetProperty(name).ToString()));

    private static Task<HttpResponseMessage> StatusAsync(HttpClient client, string ticket, string? secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/appeals/{ticket}");
        if (secret is not null)
        {
            request.Headers.Add("Appeal-Secret", secret);
        }

        return client.SendAsync(request);
    }

    private static Task<HttpResponseMessage> FileFromAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/appeals") { Content = JsonContent.Create(Appeal(Unlisted)) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }

    /// <summary>Property names with the lengths of string values: what an observer could compare.</summary>
    private static string Shape(JsonElement body) =>
        string.Join(',', body.EnumerateObject().Select(p => $"{p.Name}:{(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()!.Length : -1)}"));

    private static string HeaderNames(HttpResponseMessage response) =>
        string.Join(',', response.Headers.Select(h => h.Key).Concat(response.Content.Headers.Select(h => h.Key)).Where(h => h != "Location" && h != "Date").Order());

    /// <summary>Records every call that reaches the row store (operation and table), so a test can see what a request touched.</summary>
    private sealed class RecordingRows
    {
        private readonly ConcurrentQueue<string> _calls = new();

        public List<string> Clear()
        {
            var calls = new List<string>();
            while (_calls.TryDequeue(out var call))
            {
                calls.Add(call);
            }

            return calls;
        }

        public IRowStore Around(IRowStore inner) => new Store(inner, _calls);

        private sealed class Store(IRowStore inner, ConcurrentQueue<string> calls) : IRowStore
        {
            public Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
            {
                calls.Enqueue("get " + table);
                return inner.GetAsync(table, partitionKey, rowKey, cancellationToken);
            }

            public IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, CancellationToken cancellationToken)
            {
                calls.Enqueue("query " + table);
                return inner.QueryAsync(table, partitionKey, fromRowKey, toRowKey, cancellationToken);
            }

            public IAsyncEnumerable<Row> QueryAllAsync(string table, CancellationToken cancellationToken)
            {
                calls.Enqueue("query " + table);
                return inner.QueryAllAsync(table, cancellationToken);
            }

            public Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken)
            {
                calls.Enqueue("add " + table);
                return inner.AddAsync(table, row, cancellationToken);
            }

            public Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken)
            {
                calls.Enqueue("update " + table);
                return inner.UpdateAsync(table, row, ifMatch, cancellationToken);
            }

            public Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken)
            {
                calls.Enqueue("upsert " + table);
                return inner.UpsertAsync(table, rows, cancellationToken);
            }

            public Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken)
            {
                calls.Enqueue("delete " + table);
                return inner.DeleteAsync(table, keys, cancellationToken);
            }

            public Task SubmitAsync(string table, IReadOnlyList<RowAction> actions, CancellationToken cancellationToken)
            {
                calls.Enqueue("submit " + table);
                return inner.SubmitAsync(table, actions, cancellationToken);
            }
        }
    }
}

public sealed class AppealTestsOnMemory() : AppealTests(azurite: null);

public sealed class AppealTestsOnAzurite(AzuriteFixture azurite) : AppealTests(azurite), IClassFixture<AzuriteFixture>;
