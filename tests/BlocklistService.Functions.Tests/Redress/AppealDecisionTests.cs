using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Decisions;
using BlocklistService.Functions.Redress;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Redress;

/// <remarks>Runs twice: on the memory stores (<see cref="AppealDecisionTestsOnMemory"/>) and on Azurite (<see cref="AppealDecisionTestsOnAzurite"/>).</remarks>
public abstract class AppealDecisionTests(AzuriteFixture? azurite) : TwoStoreApiTests(azurite)
{
    private const string Url = "http://appealed.example/page";

    private static readonly string EntryIdHex = EntryId.ForExpression("appealed.example/page").Hex;

    [Fact]
    public async Task Upholding_withdraws_every_backing_logs_the_decision_and_the_next_version_publishes_the_removal()
    {
        await using var api = StartApi();
        await AppealTests.PublishAsync(api, "hotline-one", Url);
        await AppealTests.PublishAsync(api, "hotline-two", Url);
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "appeals-admin");
        var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "appeals-auditor");
        var (ticket, secret) = await FileAsync(api, Url);

        var decided = await admin.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", new { decision = "uphold", reason = "The page is a shop page; the report was a mistake.", analyst = "analyst-c" });
        var body = await decided.JsonAsync();
        var status = await StatusAsync(api, ticket, secret);
        var published = await (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"))).JsonAsync();
        var items = (await (await auditor.GetAsync($"/api/v1/audit/entries/{EntryIdHex}")).JsonAsync()).GetProperty("history").EnumerateArray().ToList();
        var history = items.Select(h => JsonDocument.Parse(h.GetProperty("leaf").GetString()!).RootElement.Clone()).ToList();

        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("upheld", body.GetProperty("status").GetString());
        Assert.Equal(["hotline-one", "hotline-two"], body.GetProperty("hotlines").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal([EntryIdHex], body.GetProperty("entries").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal("upheld", status.GetProperty("status").GetString());
        Assert.Equal("The page is a shop page; the report was a mistake.", status.GetProperty("decision").GetProperty("reason").GetString());
        Assert.Contains(published.GetProperty("lists").EnumerateArray(), l => l.GetProperty("list").GetString() == "eu" && l.GetProperty("version").GetInt64() == 3);
        var decision = Assert.Single(history, l => l.GetProperty("format").GetString() == DecisionLeaf.Format);
        Assert.Equal("appeal-uphold", decision.GetProperty("decision").GetString());
        Assert.Equal(ticket, decision.GetProperty("subject").GetProperty("appeal").GetString());
        Assert.Equal("analyst-c", decision.GetProperty("subject").GetProperty("disposition").GetString());
        Assert.Equal("appeals-admin", decision.GetProperty("actor").GetProperty("organisation").GetString());
        Assert.Equal(body.GetProperty("logIndex").GetInt64(), items[history.IndexOf(decision)].GetProperty("index").GetInt64());
        var changes = history.Where(l => l.GetProperty("format").GetString() == LogLeaf.Format).Select(l => l.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["add", "add", "withdraw", "remove"], changes);
        var entry = (await api.RowsAsync(StorageNames.Entries, "eu")).Single(r => r.RowKey == EntryIdHex);
        Assert.Equal("removed", entry.GetString("Status"));
    }

    [Fact]
    public async Task An_analyst_who_verified_the_entry_cannot_decide_and_nothing_is_logged()
    {
        await using var api = StartApi();
        await AppealTests.PublishAsync(api, "hotline-one", Url);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "hotline-one");
        var (ticket, _) = await FileAsync(api, Url);
        var before = await LogSizeAsync(api);

        var refused = await hotline.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", new { decision = "dismiss", reason = "Verified again.", analyst = " Analyst-A " });
        var problem = await refused.JsonAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty("analyst", out _));
        Assert.Equal(before, await LogSizeAsync(api));
        Assert.Equal("open", (await api.RowsAsync(StorageNames.Appeals, "appeal")).Single().GetString("Status"));
    }

    [Fact]
    public async Task A_backing_hotline_dismisses_with_a_new_analyst_and_the_entry_stays_listed()
    {
        await using var api = StartApi();
        await AppealTests.PublishAsync(api, "hotline-one", Url);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "hotline-one");
        var (stranger, _) = await api.ClientForAsync(Roles.Hotline, "hotline-other");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "appeals-admin");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "appeals-isp", "eu");
        var (ticket, secret) = await FileAsync(api, Url);
        var request = new { decision = "dismiss", reason = "Re-assessed: the material is still there.", analyst = "analyst-z" };

        var notTheirs = await stranger.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", request);
        var asIsp = await isp.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", request);
        var anonymous = await api.CreateClient().PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", request);
        var noReason = await hotline.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", new { decision = "dismiss", analyst = "analyst-z" });
        var badDecision = await hotline.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", new { decision = "maybe", reason = "x", analyst = "analyst-z" });
        var dismissed = await hotline.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", request);
        var again = await hotline.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", request);
        var reversed = await admin.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", new { decision = "uphold", reason = "Changed my mind.", analyst = "analyst-y" });
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"));

        Assert.Equal(HttpStatusCode.NotFound, notTheirs.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asIsp.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.JsonAsync()).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.True((await badDecision.JsonAsync()).GetProperty("errors").TryGetProperty("decision", out _));
        Assert.Equal(HttpStatusCode.OK, dismissed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal((await dismissed.JsonAsync()).GetProperty("logIndex").GetInt64(), (await again.JsonAsync()).GetProperty("logIndex").GetInt64());
        Assert.Equal(HttpStatusCode.Conflict, reversed.StatusCode);
        Assert.Equal("dismissed", (await StatusAsync(api, ticket, secret)).GetProperty("status").GetString());
        Assert.Equal("listed", (await api.RowsAsync(StorageNames.Entries, "eu")).Single(r => r.RowKey == EntryIdHex).GetString("Status"));
    }

    [Fact]
    public async Task Upholding_an_appeal_about_nothing_listed_is_refused_and_dismissing_it_is_logged()
    {
        await using var api = StartApi();
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "appeals-admin");
        var (ticket, _) = await FileAsync(api, "http://never-listed.example/");

        var uphold = await admin.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", new { decision = "uphold", reason = "x", analyst = "analyst-c" });
        var dismiss = await admin.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", new { decision = "dismiss", reason = "The URL is not on any list.", analyst = "analyst-c" });

        Assert.Equal(HttpStatusCode.Conflict, uphold.StatusCode);
        Assert.Equal(HttpStatusCode.OK, dismiss.StatusCode);
        Assert.Empty((await dismiss.JsonAsync()).GetProperty("entries").EnumerateArray());
    }

    [Fact]
    public async Task A_decision_logged_before_a_crash_is_completed_by_the_retry_as_logged()
    {
        await using var api = StartApi();
        await AppealTests.PublishAsync(api, "hotline-one", Url);
        var (admin, adminKey) = await api.ClientForAsync(Roles.Admin, "appeals-admin");
        var (ticket, _) = await FileAsync(api, Url);
        // the first attempt logged its decision, then the process died before withdrawing anything
        var first = await api.Services.GetRequiredService<DecisionLog>().AppendAsync(
            AppealDecisions.DecisionId(ticket), DecisionKind.AppealUphold, new DecisionActor(adminKey.KeyId, "appeals-admin", Roles.Admin), "Logged before the crash.",
            new DecisionSubject { Appeal = ticket, Entries = [EntryId.ForExpression("appealed.example/page")], Disposition = "analyst-c" }, CancellationToken.None);

        var retry = await admin.PostAsJsonAsync($"/api/v1/appeals/{ticket}/decision", new { decision = "uphold", reason = "A different wording.", analyst = "analyst-d" });
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"));

        var body = await retry.JsonAsync();
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal("Logged before the crash.", body.GetProperty("decision").GetProperty("reason").GetString());
        Assert.Equal("analyst-c", body.GetProperty("analyst").GetString());
        Assert.Equal(first.Index, body.GetProperty("logIndex").GetInt64());
        Assert.Equal("removed", (await api.RowsAsync(StorageNames.Entries, "eu")).Single(r => r.RowKey == EntryIdHex).GetString("Status"));
    }

    private static async Task<(string Ticket, string Secret)> FileAsync(ApiFactory api, string url)
    {
        var receipt = await (await api.CreateClient().PostAsJsonAsync("/api/v1/appeals", AppealTests.Appeal(url))).JsonAsync();
        return (receipt.GetProperty("ticket").GetString()!, receipt.GetProperty("secret").GetString()!);
    }

    private static async Task<JsonElement> StatusAsync(ApiFactory api, string ticket, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/appeals/{ticket}");
        request.Headers.Add("Appeal-Secret", secret);
        return await (await api.CreateClient().SendAsync(request)).JsonAsync();
    }

    private static async Task<long> LogSizeAsync(ApiFactory api)
    {
        var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "size-auditor-" + Guid.NewGuid().ToString("N")[..8]);
        var checkpoint = await auditor.GetAsync("/api/v1/audit/log/checkpoint");
        return checkpoint.StatusCode == HttpStatusCode.OK ? (await checkpoint.JsonAsync()).GetProperty("size").GetInt64() : 0;
    }
}

public sealed class AppealDecisionTestsOnMemory() : AppealDecisionTests(azurite: null);

public sealed class AppealDecisionTestsOnAzurite(AzuriteFixture azurite) : AppealDecisionTests(azurite), IClassFixture<AzuriteFixture>;
