using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace BlocklistService.Functions.Tests.WebConsole;

/// <summary>
/// The console end to end in a real headless Chromium: every role signs in through the form, works its pages over the
/// real API on Azurite, and each main page is screenshotted (artifacts/console) and checked with axe-core.
/// </summary>
public sealed class ConsoleBrowserTests(AzuriteFixture storage, ChromiumFixture chromium, ITestOutputHelper output)
    : IClassFixture<AzuriteFixture>, IClassFixture<ChromiumFixture>
{
    /// <summary>Loose bound for a page on a loaded test machine; the 1 s goal is measured by the console bench.</summary>
    private static readonly TimeSpan PageBudget = TimeSpan.FromSeconds(5);

    /// <summary>Adds verified today, so none of them reaches its review-by date (and expires) during the test.</summary>
    private static JsonNode[] Adds(string tag, int count) =>
        Enumerable.Range(0, count).Select(i => (JsonNode)Fresh(Payloads.Add($"http://{tag}.example/item/{i}"))).ToArray();

    private static JsonObject Fresh(JsonObject item)
    {
        item["verifiedAt"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        return item;
    }

    [Fact]
    public async Task An_admin_sees_the_lists_issues_a_key_shown_once_and_revokes_it_so_its_next_API_call_is_refused()
    {
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString);
        var admin = await server.IssueAsync(Roles.Admin, "operator");
        var hotline = await server.IssueAsync(Roles.Hotline, "hotline-a");
        await server.SubmitAsync(hotline.Value, Payloads.Body(Adds("bad", 2)));
        await server.PublishAsync(admin.Value);
        var page = await server.SignInWithAsync(chromium.Browser, admin.Value);

        var dashboard = await TimeAsync(page, "/console", "#lists tbody tr");
        var who = await page.TextContentAsync("#who");
        var euRow = await page.Locator("#lists tbody tr", new() { HasText = "eu" }).AllInnerTextsAsync();
        await ConsolePageChecks.CheckAsync(page, "admin-dashboard");

        await page.GotoAsync("/console/keys");
        await page.WaitForSelectorAsync("#keys tbody tr");
        await page.SelectOptionAsync("#issue-role", "hotline");
        await page.FillAsync("#issue-organisation", "new-hotline");
        await page.FillAsync("#issue-reason", "new hotline joins the network");
        await page.ClickAsync("button:text('Issue key')");
        var issued = (await page.Locator("#issued-key").TextContentAsync())!;
        Assert.True(ApiKey.TryParse(issued, out var issuedKey));
        await page.WaitForSelectorAsync($"#keys code:text('{issuedKey.KeyId}')");
        await ConsolePageChecks.CheckAsync(page, "admin-keys");
        var worksBefore = await server.Client(issued).GetAsync("/api/v1/submissions/none");
        await page.ReloadAsync();
        await page.WaitForSelectorAsync($"#keys code:text('{issuedKey.KeyId}')");
        var afterReload = await page.ContentAsync();
        await page.ClickAsync($"button[aria-label='Revoke key {issuedKey.KeyId}']");
        await page.FillAsync($"input[aria-label='Reason for revoking {issuedKey.KeyId}']", "issued by mistake");
        await page.ClickAsync($"button:text('Confirm revoke {issuedKey.KeyId}')");
        await page.WaitForSelectorAsync($"#keys tr:has-text('{issuedKey.KeyId}') >> text=revoked");
        var refusedAfter = await server.Client(issued).GetAsync("/api/v1/submissions/none");

        output.WriteLine($"admin dashboard rendered in {dashboard.TotalMilliseconds:F0} ms");
        Assert.True(dashboard < PageBudget, $"dashboard took {dashboard}");
        Assert.Contains("operator", who);
        Assert.Contains("admin", who);
        Assert.Contains("eu\t1\t2", Assert.Single(euRow));
        Assert.Equal(HttpStatusCode.NotFound, worksBefore.StatusCode);
        Assert.DoesNotContain(issuedKey.Secret, afterReload);
        Assert.Equal(HttpStatusCode.Unauthorized, refusedAfter.StatusCode);
    }

    [Fact]
    public async Task An_admin_rejects_a_review_item_and_approves_a_held_version_with_a_reason_then_sees_it_published()
    {
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString, new Dictionary<string, string?>
        {
            ["Ingest:ProtectedHosts:0"] = "protected.example",
            ["Publishing:HoldMinimumChanges"] = "2",
        });
        var admin = await server.IssueAsync(Roles.Admin, "operator");
        var hotline = await server.IssueAsync(Roles.Hotline, "hotline-a");
        var reviewed = await server.SubmitAsync(hotline.Value, Payloads.Body(Fresh(Payloads.Add("http://protected.example/page/1"))));
        await server.SubmitAsync(hotline.Value, Payloads.Body(Adds("first", 2)));
        await server.PublishAsync(admin.Value);
        await server.SubmitAsync(hotline.Value, Payloads.Body(Adds("second", 3)));
        var held = await server.PublishAsync(admin.Value);
        Assert.Contains("held", held.ToString());
        var page = await server.SignInWithAsync(chromium.Browser, admin.Value);

        await page.GotoAsync("/console/reviews");
        await page.WaitForSelectorAsync("#reviews tbody tr");
        await ConsolePageChecks.CheckAsync(page, "admin-reviews");
        await page.FillAsync("input[aria-label^='Reason for protected.example/page/1']", "the page is the platform's own help page");
        await page.ClickAsync("button[aria-label^='Reject protected.example/page/1']");
        await page.WaitForSelectorAsync("#reviews .ok:text('Rejected')");
        var status = await (await server.Client(hotline.Value).GetAsync($"/api/v1/submissions/{reviewed}")).JsonAsync();
        var queue = await (await server.Client(admin.Value).GetAsync("/api/v1/admin/reviews")).JsonAsync();

        await page.GotoAsync("/console/holds");
        await page.WaitForSelectorAsync("h2:text('eu version 2')");
        var holdText = await page.Locator("section.hold").InnerTextAsync();
        await ConsolePageChecks.CheckAsync(page, "admin-holds");
        await page.ClickAsync("button:text('Approve eu v2')");
        var missingReason = await page.Locator("[role=alert]").InnerTextAsync();
        await page.FillAsync("textarea", "checked the three additions against the hotline's case file");
        await page.ClickAsync("button:text('Approve eu v2')");
        var published = await page.Locator("#hold-notice [role=status]").InnerTextAsync();
        await ConsolePageChecks.ScreenshotAsync(page, "admin-holds-approved");
        var lists = await (await server.Client(admin.Value).GetAsync("/api/v1/admin/lists")).JsonAsync();

        Assert.Equal("rejected", status.GetProperty("items")[0].GetProperty("state").GetString());
        Assert.Equal("rejected-by-review", status.GetProperty("items")[0].GetProperty("reason").GetString());
        Assert.Equal(0, queue.GetProperty("items").GetArrayLength());
        Assert.Contains("Would list\n3", holdText.Replace("\t", "\n"));
        Assert.StartsWith("reason:", missingReason);
        Assert.Contains("Published eu version 2", published);
        var eu = lists.GetProperty("lists").EnumerateArray().Single(l => l.GetProperty("list").GetString() == "eu");
        Assert.Equal(2, eu.GetProperty("version").GetInt64());
        Assert.Equal(5, eu.GetProperty("entryCount").GetInt64());
    }

    [Fact]
    public async Task An_auditor_finds_an_entrys_history_verifies_its_inclusion_in_the_browser_and_sees_a_tampered_proof_fail()
    {
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString);
        var admin = await server.IssueAsync(Roles.Admin, "operator");
        var hotline = await server.IssueAsync(Roles.Hotline, "hotline-a");
        await server.SubmitAsync(hotline.Value, Payloads.Body(Adds("audited", 5)));
        await server.PublishAsync(admin.Value);
        await server.SubmitAsync(hotline.Value, Payloads.Body(Payloads.Remove("http://audited.example/item/3")));
        await server.PublishAsync(admin.Value);
        var page = await server.SignInAsync(chromium.Browser, Roles.Auditor, "regulator");

        var dashboard = await TimeAsync(page, "/console", "#checkpoint");
        var checkpoint = await page.Locator("#checkpoint").InnerTextAsync();
        await ConsolePageChecks.CheckAsync(page, "auditor-dashboard");

        var entries = await TimeAsync(page, "/console/entries", "#entry-query");
        await page.FillAsync("#entry-query", "http://audited.example/item/3");
        await page.ClickAsync("button:text('Find history')");
        await page.WaitForSelectorAsync("#history-table tbody tr");
        var history = await page.Locator("#history-table tbody tr").AllInnerTextsAsync();
        var addLeaf = history[0].Split('\t')[0];
        await page.FillAsync("#pinned-key", server.SigningKeyId);
        await page.ClickAsync($"button[aria-label='Verify leaf {addLeaf}']");
        var verified = await page.Locator("#verdict").InnerTextAsync();
        var steps = await page.Locator("#verification ol").InnerTextAsync();
        await ConsolePageChecks.CheckAsync(page, "auditor-verify");
        await page.CheckAsync("#tamper");
        await page.ClickAsync($"button[aria-label='Verify leaf {addLeaf}']");
        await page.WaitForSelectorAsync("#verdict.error");
        var tampered = await page.Locator("#verdict").InnerTextAsync();
        await ConsolePageChecks.ScreenshotAsync(page, "auditor-verify-tampered");
        await page.UncheckAsync("#tamper");
        await page.FillAsync("#pinned-key", new string('a', 64));
        await page.ClickAsync("#history-table tbody tr:nth-child(2) button");
        await page.WaitForSelectorAsync("#verdict:text('unknown key')");

        var entryId = (await page.Locator("#entry-id").TextContentAsync())!;
        await page.FillAsync("#entry-query", entryId);
        await page.ClickAsync("button:text('Find history')");
        await page.WaitForSelectorAsync($"#entry-id:text('{entryId}')");
        var byId = await page.Locator("#history-table tbody tr").CountAsync();

        var charts = await TimeAsync(page, "/console/charts", "#size-chart");
        var bars = await page.Locator("#change-chart rect").CountAsync();
        await page.WaitForSelectorAsync("#report-chart");
        var reportRows = await page.Locator("#report-table tbody tr").AllInnerTextsAsync();
        await ConsolePageChecks.CheckAsync(page, "auditor-charts");

        output.WriteLine($"auditor dashboard {dashboard.TotalMilliseconds:F0} ms, entries {entries.TotalMilliseconds:F0} ms, charts {charts.TotalMilliseconds:F0} ms");
        Assert.Contains("8 leaves", checkpoint); // 6 changes and the two publish decisions
        Assert.Equal(2, history.Count);
        Assert.Contains("add eu v1", history[0]);
        Assert.Contains("remove eu v2", history[1]);
        Assert.StartsWith($"Verified: leaf {addLeaf} is in the transparency log of 8 leaves", verified);
        Assert.Contains(server.SigningKeyId, verified);
        Assert.Contains("signature verifies with the pinned key", steps);
        Assert.Contains("equals the signed root", steps);
        Assert.StartsWith("Not verified", tampered);
        Assert.Equal(2, byId);
        Assert.Equal(2, bars);
        Assert.Contains("\t5\t1\t0\t", Assert.Single(reportRows));
        Assert.All([dashboard, entries, charts], t => Assert.True(t < PageBudget, $"page took {t}"));
    }

    [Fact]
    public async Task A_hotline_filters_its_submission_cannot_reach_admin_pages_or_APIs_and_signs_out()
    {
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString);
        var admin = await server.IssueAsync(Roles.Admin, "operator");
        var hotline = await server.IssueAsync(Roles.Hotline, "hotline-a");
        var invalid = Payloads.Add("http://filtered.example/no-reference");
        invalid.Remove("reference");
        var submission = await server.SubmitAsync(hotline.Value, Payloads.Body([.. Adds("filtered", 2), invalid]));
        await server.PublishAsync(admin.Value);
        var page = await server.SignInWithAsync(chromium.Browser, hotline.Value);
        await ConsolePageChecks.CheckAsync(page, "hotline-dashboard");

        await page.GotoAsync("/console/submissions");
        await page.FillAsync("#submission-id", submission);
        await page.ClickAsync("button:text('Show')");
        await page.WaitForSelectorAsync("#items tbody tr");
        var all = await page.Locator("#items tbody tr").CountAsync();
        await page.SelectOptionAsync("#state-filter", "published");
        var published = await page.Locator("#items tbody tr").AllInnerTextsAsync();
        await page.SelectOptionAsync("#state-filter", "all");
        await page.FillAsync("#text-filter", "no-reference");
        var rejected = await page.Locator("#items tbody tr").AllInnerTextsAsync();
        await ConsolePageChecks.CheckAsync(page, "hotline-submissions");

        var adminPage = await page.GotoAsync("/console/keys");
        var adminHeading = await page.Locator("h1").InnerTextAsync();
        var adminApi = await page.EvaluateAsync<int>("async () => (await fetch('/api/v1/admin/keys')).status");
        var withoutCsrf = await page.EvaluateAsync<int>(
            "async () => (await fetch('/api/v1/submissions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{\"items\":[]}' })).status");
        await ConsoleServer.ClickAndArriveAsync(page, "button:text('Sign out')", "/console/sign-in");
        await page.GotoAsync("/console/submissions");
        var afterSignOut = page.Url;
        var cookies = await page.Context.CookiesAsync();

        Assert.Equal(3, all);
        Assert.Equal(2, published.Count);
        Assert.All(published, row => Assert.Contains("eu: published in v1", row));
        Assert.Contains("rejected", Assert.Single(rejected));
        Assert.Equal(403, adminPage!.Status);
        Assert.Equal("Not allowed", adminHeading);
        Assert.Equal(403, adminApi);
        Assert.Equal(403, withoutCsrf);
        Assert.EndsWith("/console/sign-in", afterSignOut);
        Assert.Empty(cookies);
    }

    [Fact]
    public async Task The_ISP_page_colours_each_lists_lag_by_how_far_behind_the_ISP_is()
    {
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString, new Dictionary<string, string?> { ["Publishing:PollFlushInterval"] = "00:00:00.200" });
        var admin = await server.IssueAsync(Roles.Admin, "operator");
        var hotline = await server.IssueAsync(Roles.Hotline, "hotline-a");
        var isp = await server.IssueAsync(Roles.Isp, "isp-one", "eu");
        foreach (var round in new[] { "one", "two", "three" })
        {
            await server.SubmitAsync(hotline.Value, Payloads.Body(Adds(round, 1)));
            await server.PublishAsync(admin.Value);
        }

        await server.Client(isp.Value).GetAsync("/api/v1/lists/eu/updates?since=2");
        var page = await server.SignInWithAsync(chromium.Browser, admin.Value);
        var lag = page.Locator("#isps td span[data-lag]");
        for (var attempt = 0; attempt < 50; attempt++)
        {
            // the poll is recorded in the background (Publishing:PollFlushInterval): look again until it shows
            await page.GotoAsync("/console/isps");
            await page.WaitForSelectorAsync("#isps td span[data-lag]");
            if (await lag.GetAttributeAsync("data-lag") == "1")
            {
                break;
            }

            await Task.Delay(100);
        }

        var text = await lag.InnerTextAsync();
        var colour = await lag.EvaluateAsync<string>("e => getComputedStyle(e).color");
        await ConsolePageChecks.CheckAsync(page, "admin-isps");

        Assert.Equal("1 version behind", text);
        Assert.Equal("lag-1", await lag.GetAttributeAsync("class"));
        Assert.Equal("rgb(122, 75, 0)", colour);
    }

    [Fact]
    public async Task The_browser_enforces_the_CSP_an_injected_inline_script_does_not_run()
    {
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString);
        var page = await server.SignInAsync(chromium.Browser, Roles.Auditor, "regulator");
        var violations = new List<string>();
        page.Console += (_, message) => violations.Add(message.Text);

        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.head.append(s); }");
        var ran = await page.EvaluateAsync<bool>("() => window.injected === 1");
        var pageScriptRan = await page.Locator("#checkpoint, #app p").CountAsync();

        Assert.False(ran);
        Assert.True(pageScriptRan > 0);
        Assert.Contains(violations, v => v.Contains("Content Security Policy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hotline_sees_the_different_analyst_rule_before_deciding_an_appeal_and_a_verifier_is_refused()
    {
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString);
        var admin = await server.IssueAsync(Roles.Admin, "operator");
        var hotline = await server.IssueAsync(Roles.Hotline, "hotline-a");
        await server.SubmitAsync(hotline.Value, Payloads.Body(Fresh(Payloads.Add("http://appealed.example/page"))));
        await server.PublishAsync(admin.Value);
        var filed = await new HttpClient { BaseAddress = server.Address }.PostAsJsonAsync("/api/v1/appeals",
            new { url = "http://appealed.example/page", contact = "owner@appealed.example", statement = "This page is my shop's catalogue." });
        var ticket = (await filed.JsonAsync()).GetProperty("ticket").GetString()!;
        var page = await server.SignInWithAsync(chromium.Browser, hotline.Value);

        await page.GotoAsync("/console/appeals");
        await page.WaitForSelectorAsync($"h2:text('Appeal {ticket}')");
        var rule = await page.Locator($"#rule-{ticket}").InnerTextAsync();
        await ConsolePageChecks.CheckAsync(page, "hotline-appeals");
        await page.CheckAsync($"#uphold-{ticket}");
        await page.FillAsync($"#analyst-{ticket}", "analyst-a");
        await page.FillAsync($"#reason-{ticket}", "the page shows no abuse material any more");
        await page.ClickAsync($"button:text('Decide appeal {ticket}')");
        var refused = await page.Locator($"section.appeal [role=alert]").InnerTextAsync();
        await page.FillAsync($"#analyst-{ticket}", "analyst-c");
        await page.ClickAsync($"button:text('Decide appeal {ticket}')");
        var decided = await page.Locator("#appeal-notice [role=status]").InnerTextAsync();
        var status = await (await server.Client(hotline.Value).GetAsync("/api/v1/appeals?status=upheld")).JsonAsync();

        Assert.Equal(HttpStatusCode.Accepted, filed.StatusCode);
        Assert.Contains("must not be one of those who verified or withdrew the entry", rule);
        Assert.StartsWith("422:", refused);
        Assert.Contains($"Appeal {ticket} upheld by analyst analyst-c", decided);
        Assert.Equal(ticket, status.GetProperty("appeals")[0].GetProperty("ticket").GetString());
    }

    [Fact]
    public async Task The_stop_page_renders_in_the_browser_without_scripts_and_passes_axe()
    {
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString);
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.Address.ToString() });
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync("/stop?url=http%3A%2F%2Fblocked.example%2Fpage");
        var scripts = await page.Locator("script").CountAsync();
        var text = await page.Locator("body").InnerTextAsync();
        await ConsolePageChecks.CheckAsync(page, "stop-page");

        Assert.Equal(200, response!.Status);
        Assert.Equal(0, scripts);
        Assert.Contains("blocked.example", text);
    }

    /// <summary>Navigates and waits until <paramref name="ready"/> is drawn: what a user waits for, measured in the browser's process.</summary>
    private static async Task<TimeSpan> TimeAsync(IPage page, string path, string ready)
    {
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(path);
        await page.WaitForSelectorAsync(ready);
        return clock.Elapsed;
    }
}
