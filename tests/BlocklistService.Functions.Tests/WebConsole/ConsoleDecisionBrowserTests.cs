using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Playwright;

namespace BlocklistService.Functions.Tests.WebConsole;

/// <summary>
/// The decision pages in a real headless Chromium over the real API on Azurite: a hold's exact change set and its
/// approval, an emergency revert confirmed with the version and the number of entries it changes, an ISP key issued
/// with its feed, the decisions in an entry's history, and a hotline's submissions list with per-item status.
/// </summary>
public sealed class ConsoleDecisionBrowserTests(AzuriteFixture storage, ChromiumFixture chromium)
    : IClassFixture<AzuriteFixture>, IClassFixture<ChromiumFixture>
{
    private static JsonObject Fresh(JsonObject item)
    {
        item["verifiedAt"] = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        return item;
    }

    private static JsonNode[] Adds(string tag, int count) =>
        Enumerable.Range(0, count).Select(i => (JsonNode)Fresh(Payloads.Add($"http://{tag}.example/item/{i}"))).ToArray();

    [Fact]
    public async Task An_admin_reads_a_holds_exact_change_set_page_by_page_approves_it_reverts_with_a_confirmation_and_issues_a_hashed_feed_key()
    {
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString, new Dictionary<string, string?>
        {
            ["Ingest:ProtectedHosts:0"] = "protected.example",
            ["Publishing:HoldMinimumChanges"] = "2",
        });
        var admin = await server.IssueAsync(Roles.Admin, "operator");
        var hotline = await server.IssueAsync(Roles.Hotline, "hotline-a");
        await server.SubmitAsync(hotline.Value, Payloads.Body(Adds("first", 2)));
        await server.PublishAsync(admin.Value);

        // version 2: 52 exact adds, a whole-host block and an approved item on a protected host: held
        var reviewed = await server.SubmitAsync(hotline.Value, Payloads.Body(Fresh(Payloads.Add("http://protected.example/abuse/1.jpg"))));
        var approvedReview = await server.Client(admin.Value).PostAsync($"/api/v1/admin/reviews/{reviewed}/items/0/approve", Payloads.Reason("the file itself, not the host"));
        Assert.Equal(HttpStatusCode.OK, approvedReview.StatusCode);
        await server.SubmitAsync(hotline.Value, Payloads.Body([.. Adds("bulk", 52), Fresh(Payloads.Add("http://whole.example/", "host"))]));
        Assert.Contains("held", (await server.PublishAsync(admin.Value)).ToString());
        var page = await server.SignInWithAsync(chromium.Browser, admin.Value);

        await page.GotoAsync("/console/holds");
        await page.WaitForSelectorAsync("h2:text('eu version 2')");
        var hold = page.Locator("section.hold");
        var summary = await hold.Locator("dl").InnerTextAsync();
        var byScope = await hold.Locator("table.counts").First.InnerTextAsync();
        var hostScope = await hold.Locator("table.host-scope tbody tr").AllInnerTextsAsync();
        var onProtected = await hold.Locator("table.protected tbody tr").AllInnerTextsAsync();
        var firstPage = await hold.Locator("table.changes caption").InnerTextAsync();
        var firstRows = await hold.Locator("table.changes tbody tr").CountAsync();
        await ConsolePageChecks.CheckAsync(page, "admin-hold-change-set");
        await page.ClickAsync("button:text('Next changes')");
        await page.WaitForSelectorAsync("table.changes caption:text('51–54 of 54')");
        var secondRows = await hold.Locator("table.changes tbody tr").CountAsync();
        await ConsolePageChecks.ScreenshotAsync(page, "admin-hold-change-set-page-2");
        await page.FillAsync("textarea", "bulk import checked with hotline-a; whole.example is dedicated to abuse");
        await page.ClickAsync("button:text('Approve eu v2')");
        var published = await page.Locator("#hold-notice [role=status]").InnerTextAsync();

        await page.GotoAsync("/console/revert");
        await page.WaitForSelectorAsync("#revert-lists tbody tr");
        await page.SelectOptionAsync("#revert-list", "eu");
        await page.FillAsync("#revert-to", "1");
        await page.ClickAsync("button:text('Preview revert')");
        var confirmation = await page.Locator("#revert-summary").InnerTextAsync();
        var confirmButton = await page.Locator("#revert-confirm button.danger").InnerTextAsync();
        await ConsolePageChecks.CheckAsync(page, "admin-revert-confirm");
        var listsBefore = await (await server.Client(admin.Value).GetAsync("/api/v1/admin/lists")).JsonAsync();
        await page.ClickAsync("#revert-confirm button.danger");
        var missingReason = await page.Locator("#revert-confirm [role=alert]").InnerTextAsync();
        await page.FillAsync("#revert-reason", "version 2 blocked a whole host by mistake");
        await page.ClickAsync("#revert-confirm button.danger");
        var reverted = await page.Locator("#revert-done").InnerTextAsync();
        await ConsolePageChecks.ScreenshotAsync(page, "admin-revert-done");
        var listsAfter = await (await server.Client(admin.Value).GetAsync("/api/v1/admin/lists")).JsonAsync();

        await page.GotoAsync("/console/keys");
        await page.WaitForSelectorAsync("#keys tbody tr");
        var feedHiddenForHotline = await page.Locator("#issue-feed-field").IsHiddenAsync();
        await page.SelectOptionAsync("#issue-role", "isp");
        await page.SelectOptionAsync("#issue-feed", "hashed");
        await page.FillAsync("#issue-organisation", "isp-hashed");
        await page.FillAsync("#issue-lists", "eu");
        await page.FillAsync("#issue-reason", "ISP that may not hold the readable list");
        await page.ClickAsync("button:text('Issue key')");
        var issued = await page.Locator("#issued .secret").InnerTextAsync();
        await page.WaitForSelectorAsync("#keys tr:has-text('isp-hashed')");
        var keyRow = await page.Locator("#keys tr", new() { HasText = "isp-hashed" }).InnerTextAsync();
        await ConsolePageChecks.CheckAsync(page, "admin-keys-feed");
        var keys = await (await server.Client(admin.Value).GetAsync("/api/v1/admin/keys")).JsonAsync();

        Assert.Contains("Would list\n54", summary.Replace("\t", "\n"));
        Assert.Contains("exact\n53", byScope.Replace("\t", "\n"));
        Assert.Contains("host\n1", byScope.Replace("\t", "\n"));
        Assert.Contains("whole.example/", Assert.Single(hostScope));
        Assert.Contains("protected.example/abuse/1.jpg", Assert.Single(onProtected));
        Assert.Contains("1–50 of 54", firstPage);
        Assert.Equal((50, 4), (firstRows, secondRows));
        Assert.Contains("Published eu version 2", published);
        Assert.Contains("publishes eu version 3 now", confirmation);
        Assert.Contains("changes 54 entries (0 listed again, 54 delisted)", confirmation);
        Assert.Contains("revert eu to version 1 (54 entries change)", confirmButton);
        Assert.Equal(2, Version(listsBefore, "eu"));
        Assert.StartsWith("reason:", missingReason);
        Assert.Contains("version 3 has the state of version 1", reverted);
        Assert.Equal((3L, 2L), (Version(listsAfter, "eu"), Count(listsAfter, "eu")));
        Assert.True(feedHiddenForHotline);
        Assert.Contains("(hashed feed)", issued);
        Assert.Contains("hashed", keyRow);
        Assert.Equal("hashed", keys.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("organisation").GetString() == "isp-hashed").GetProperty("feed").GetString());
    }

    [Fact]
    public async Task An_auditor_sees_the_decisions_that_touched_an_entry_and_a_hotline_lists_its_submissions_with_items_rejected_by_a_hold()
    {
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString, new Dictionary<string, string?> { ["Publishing:HoldMinimumChanges"] = "1" });
        var admin = server.Client((await server.IssueAsync(Roles.Admin, "operator")).Value);
        var hotline = await server.IssueAsync(Roles.Hotline, "hotline-a");
        var approvedSubmission = await server.SubmitAsync(hotline.Value, Payloads.Body(Adds("kept", 2)));
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"));
        await DecideAsync(admin, "approve", new { reason = "first import, checked with hotline-a" });
        var rejectedSubmission = await server.SubmitAsync(hotline.Value, Payloads.Body(Adds("dropped", 2)));
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"));
        var rejectedHold = await DecideAsync(admin, "reject", new { reason = "the wrong file was uploaded", items = "reject" });

        var auditor = await server.SignInAsync(chromium.Browser, Roles.Auditor, "regulator");
        await auditor.GotoAsync("/console/entries");
        await auditor.FillAsync("#entry-query", "http://kept.example/item/1");
        await auditor.ClickAsync("button:text('Find history')");
        await auditor.WaitForSelectorAsync("#decisions-table tbody tr");
        var changes = await auditor.Locator("#history-table tbody tr").AllInnerTextsAsync();
        var decisions = await auditor.Locator("#decisions-table tbody tr").AllInnerTextsAsync();
        await ConsolePageChecks.CheckAsync(auditor, "auditor-entry-decisions");

        var page = await server.SignInWithAsync(chromium.Browser, hotline.Value);
        await page.GotoAsync("/console/submissions");
        await page.WaitForSelectorAsync("#submissions tbody tr");
        var listed = await page.Locator("#submissions tbody tr").AllInnerTextsAsync();
        await page.SelectOptionAsync("#list-state-filter", "rejected");
        var onlyRejected = await page.Locator("#submissions tbody tr").AllInnerTextsAsync();
        await page.ClickAsync($"button[aria-label='Show items of {rejectedSubmission}']");
        await page.WaitForSelectorAsync("#items tbody tr");
        var items = await page.Locator("#items tbody tr").AllInnerTextsAsync();
        await ConsolePageChecks.CheckAsync(page, "hotline-submissions-list");

        Assert.Contains("add eu v1", Assert.Single(changes));
        var decision = Assert.Single(decisions);
        Assert.Contains("hold-approve", decision);
        Assert.Contains("first import, checked with hotline-a", decision);
        Assert.Contains("operator (admin", decision);
        Assert.Equal(2, listed.Count);
        Assert.Contains(rejectedSubmission, listed[0]);
        Assert.Contains("2 rejected", listed[0]);
        Assert.Contains(approvedSubmission, listed[1]);
        Assert.Contains("2 published", listed[1]);
        Assert.Contains(rejectedSubmission, Assert.Single(onlyRejected));
        Assert.Equal(2, items.Count);
        Assert.All(items, row => Assert.Contains($"rejected-by-hold (hold {rejectedHold})", row));
    }

    [Fact]
    public async Task An_admin_keeps_or_delists_whole_host_entries_whose_host_became_protected_from_the_review_page()
    {
        var pem = Path.Combine(Path.GetTempPath(), Azurite.UniqueName("key") + ".pem");
        using (var signer = Domain.Signing.PemArtifactSigner.Generate())
        {
            await File.WriteAllTextAsync(pem, signer.ToPkcs8Pem());
        }

        var shared = new Dictionary<string, string?> { ["Storage:TablePrefix"] = Azurite.UniqueName("t")[..13], ["Signing:PemPath"] = pem };
        await using (var before = await ConsoleServer.StartAsync(storage.ConnectionString, shared))
        {
            var hotline = await before.IssueAsync(Roles.Hotline, "hotline-a");
            await before.SubmitAsync(hotline.Value, Payloads.Body(Fresh(Payloads.Add("http://files.newly.example/", "host")), Fresh(Payloads.Add("http://cdn.newly.example/", "host"))));
            await before.PublishAsync((await before.IssueAsync(Roles.Admin, "operator")).Value);
        }

        // restarted with newly.example protected: both listed whole-host entries wait for a decision
        await using var server = await ConsoleServer.StartAsync(storage.ConnectionString, new Dictionary<string, string?>(shared) { ["Ingest:ProtectedHosts:0"] = "newly.example" });
        var page = await server.SignInAsync(chromium.Browser, Roles.Admin, "duty-officer");
        var dashboardCount = await page.Locator("#review-count").InnerTextAsync();
        await page.GotoAsync("/console/reviews");
        await page.WaitForSelectorAsync("#listed-reviews tbody tr");
        var rows = await page.Locator("#listed-reviews tbody tr").AllInnerTextsAsync();
        await ConsolePageChecks.CheckAsync(page, "admin-reviews-newly-protected");
        await page.ClickAsync("button[aria-label='Delist files.newly.example/ in eu']");
        var missingReason = await page.Locator("#listed-reviews [role=alert]").InnerTextAsync();

        // another admin delists files.newly.example meanwhile; keeping it from this (older) page is refused, naming that decision
        var other = server.Client((await server.IssueAsync(Roles.Admin, "other-officer")).Value);
        var files = (await (await other.GetAsync("/api/v1/admin/reviews")).JsonAsync()).GetProperty("listed").EnumerateArray()
            .Single(r => r.GetProperty("expression").GetString() == "files.newly.example/").GetProperty("entryId").GetString();
        var delisted = await (await other.PostAsync($"/api/v1/admin/reviews/listed/eu/{files}/delist", Payloads.Reason("the host serves ordinary users"))).JsonAsync();
        await page.FillAsync("input[aria-label='Reason for files.newly.example/ in eu']", "dedicated to the abuse site");
        await page.ClickAsync("button[aria-label='Keep listed files.newly.example/ in eu']");
        var alreadyDecided = await page.Locator("#listed-reviews [role=alert]:text('409')").InnerTextAsync();
        var filesButtonsDisabled = await page.Locator("button[aria-label='Delist files.newly.example/ in eu']").IsDisabledAsync();
        await page.FillAsync("input[aria-label='Reason for cdn.newly.example/ in eu']", "dedicated to the abuse site");
        await page.ClickAsync("button[aria-label='Keep listed cdn.newly.example/ in eu']");
        await page.WaitForSelectorAsync("#listed-reviews .ok:text('Kept listed')");
        await ConsolePageChecks.ScreenshotAsync(page, "admin-reviews-newly-protected-decided");
        var admin = await server.IssueAsync(Roles.Admin, "checker");
        var left = await (await server.Client(admin.Value).GetAsync("/api/v1/admin/reviews")).JsonAsync();
        await server.PublishAsync(admin.Value);
        var lists = await (await server.Client(admin.Value).GetAsync("/api/v1/admin/lists")).JsonAsync();

        Assert.Equal("2", dashboardCount);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Contains("\teu\tnewly.example\thotline-a\t", row));
        Assert.StartsWith("reason:", missingReason);
        Assert.Contains($"already delisted by decision {delisted.GetProperty("decisionIndex").GetInt64()} at ", alreadyDecided);
        Assert.True(filesButtonsDisabled);
        Assert.Equal(0, left.GetProperty("listed").GetArrayLength());
        Assert.Equal((2L, 1L), (Version(lists, "eu"), Count(lists, "eu")));
    }

    /// <summary>Decides the one held eu version over the API (If-Match: its digest) and returns its id.</summary>
    private static async Task<string> DecideAsync(HttpClient admin, string verdict, object body)
    {
        var holds = await (await admin.GetAsync("/api/v1/admin/holds")).JsonAsync();
        var id = holds.GetProperty("holds").EnumerateArray().Single(h => h.GetProperty("status").GetString() == "held").GetProperty("id").GetString()!;
        var digest = (await admin.GetAsync($"/api/v1/admin/holds/{id}")).Headers.ETag!.Tag;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/holds/{id}/{verdict}") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("If-Match", digest);
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(request)).StatusCode);
        return id;
    }

    private static long Version(JsonElement lists, string list) => Row(lists, list).GetProperty("version").GetInt64();

    private static long Count(JsonElement lists, string list) => Row(lists, list).GetProperty("entryCount").GetInt64();

    private static JsonElement Row(JsonElement lists, string list) =>
        lists.GetProperty("lists").EnumerateArray().Single(l => l.GetProperty("list").GetString() == list);
}
