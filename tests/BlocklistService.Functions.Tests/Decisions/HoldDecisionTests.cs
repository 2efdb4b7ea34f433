using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Endpoints;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Decisions;

/// <summary>Holds over HTTP (on the in-memory stores): the exact change set, its digest as ETag, If-Match and reason on decisions.</summary>
public sealed class HoldDecisionTests
{
    private static readonly Dictionary<string, string?> HoldEverything = new() { ["Publishing:HoldMinimumChanges"] = "1" };

    [Fact]
    public async Task Approval_publishes_exactly_the_change_set_shown_and_newer_items_wait_for_the_next_cycle()
    {
        await using var api = PublishApi.OnMemoryStores(HoldEverything);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "hold-hotline");
        var (admin, adminKey) = await api.ClientForAsync(Roles.Admin, "operator");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "isp-hold", "eu");

        await ListEndpointTests.SubmitAsync(hotline, Payloads.Add("http://a.example/1"), Payloads.Add("http://b.example/2"), Payloads.Add("http://whole.example/", "host"));
        Assert.Equal("held", Outcome(await PublishAsync(admin), "eu"));
        var id = PolicyId(await (await admin.GetAsync("/api/v1/admin/holds")).JsonAsync());

        var shown = await admin.GetAsync($"/api/v1/admin/holds/{id}?limit=2");
        var detail = await shown.JsonAsync();
        var digest = shown.Headers.ETag!.Tag.Trim('"');
        Assert.Equal(digest, detail.GetProperty("hold").GetProperty("digest").GetString());
        Assert.Equal(3, detail.GetProperty("counts").GetProperty("changes").GetInt32());
        Assert.Equal(2, detail.GetProperty("counts").GetProperty("byScope").GetProperty("exact").GetInt32());
        Assert.Equal(3, detail.GetProperty("counts").GetProperty("byHotline").GetProperty("hold-hotline").GetInt32());
        Assert.Equal("whole.example/", Assert.Single(detail.GetProperty("hostScope").EnumerateArray()).GetProperty("expression").GetString());
        Assert.Equal(2, detail.GetProperty("changes").GetArrayLength());
        Assert.Equal(2, detail.GetProperty("nextOffset").GetInt32());
        var rest = await (await admin.GetAsync($"/api/v1/admin/holds/{id}?offset=2&limit=2")).JsonAsync();
        Assert.Single(rest.GetProperty("changes").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("nextOffset").ValueKind);

        // more arrives after the admin looked: it neither joins the hold nor changes its digest
        await ListEndpointTests.SubmitAsync(hotline, Payloads.Add("http://late.example/3"), Payloads.Add("http://late.example/4"));
        Assert.Equal("held", Outcome(await PublishAsync(admin), "eu"));
        Assert.Equal(digest, (await admin.GetAsync($"/api/v1/admin/holds/{id}")).Headers.ETag!.Tag.Trim('"'));

        Assert.Equal(HttpStatusCode.PreconditionRequired, (await admin.PostAsync($"/api/v1/admin/holds/{id}/approve", Payloads.Reason("ok"))).StatusCode);
        var stale = await Decide(admin, $"/api/v1/admin/holds/{id}/approve", new string('0', 64), new { reason = "ok" });
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.True((await stale.JsonAsync()).GetProperty("errors").TryGetProperty("If-Match", out _));
        var noReason = await Decide(admin, $"/api/v1/admin/holds/{id}/approve", digest, new { reason = " " });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.JsonAsync()).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.Forbidden, (await Decide(isp, $"/api/v1/admin/holds/{id}/approve", digest, new { reason = "isp" })).StatusCode);

        var approved = await Decide(admin, $"/api/v1/admin/holds/{id}/approve", digest, new { reason = "whole.example is a dedicated host; checked with the hotline" });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var body = await approved.JsonAsync();
        Assert.Equal("published", body.GetProperty("published").GetProperty("outcome").GetString());
        var state = await ListEndpointTests.SyncAsync(isp, ListState.Empty(ListName.Parse("eu")));
        Assert.Equal(["a.example/1", "b.example/2", "whole.example/"], state.Entries.Select(e => e.Expression).Order().ToArray());
        Assert.Equal(HttpStatusCode.Conflict, (await Decide(admin, $"/api/v1/admin/holds/{id}/approve", digest, new { reason = "again" })).StatusCode);

        // the late item goes through the next cycle and its own guard
        Assert.Equal("held", Outcome(await PublishAsync(admin), "eu"));
        var next = await (await admin.GetAsync("/api/v1/admin/holds")).JsonAsync();
        Assert.Contains(next.GetProperty("holds").EnumerateArray(), h => h.GetProperty("version").GetInt64() == 2 && h.GetProperty("status").GetString() == "held");

        // the approval is a decision leaf with the actor and reason, between the publish decisions and the version's changes
        var decision = (await DecisionsAsync(api)).Single(d => d.Kind == DecisionKind.HoldApprove);
        Assert.Equal((adminKey.KeyId, "operator", "admin"), (decision.Actor.KeyId, decision.Actor.Organisation, decision.Actor.Role));
        Assert.Equal("whole.example is a dedicated host; checked with the hotline", decision.Reason);
        Assert.Equal((digest, 1L, id), (decision.Subject.Digest, decision.Subject.Version!.Value, decision.Subject.Hold));
        Assert.Equal(3, decision.Subject.Entries.Count);
    }

    [Fact]
    public async Task Rejection_keeps_the_items_pending_or_drops_them_as_asked()
    {
        await using var api = PublishApi.OnMemoryStores(HoldEverything);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "reject-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "operator");

        await ListEndpointTests.SubmitAsync(hotline, Payloads.Add("http://keep.example/1"), Payloads.Add("http://keep.example/2"));
        await PublishAsync(admin);
        var id = PolicyId(await (await admin.GetAsync("/api/v1/admin/holds")).JsonAsync());
        var digest = (await admin.GetAsync($"/api/v1/admin/holds/{id}")).Headers.ETag!.Tag.Trim('"');

        var badItems = await Decide(admin, $"/api/v1/admin/holds/{id}/reject", digest, new { reason = "wait", items = "lose" });
        Assert.Equal(HttpStatusCode.BadRequest, badItems.StatusCode);
        Assert.True((await badItems.JsonAsync()).GetProperty("errors").TryGetProperty("items", out _));
        var kept = await Decide(admin, $"/api/v1/admin/holds/{id}/reject", digest, new { reason = "wait for the second analyst", items = "keep-pending" });
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        Assert.Equal("held", Outcome(await PublishAsync(admin), "eu"));

        var again = PolicyId(await (await admin.GetAsync("/api/v1/admin/holds")).JsonAsync());
        var digestAgain = (await admin.GetAsync($"/api/v1/admin/holds/{again}")).Headers.ETag!.Tag.Trim('"');
        Assert.Equal(digest, digestAgain);
        Assert.Equal(HttpStatusCode.OK, (await Decide(admin, $"/api/v1/admin/holds/{again}/reject", digestAgain, new { reason = "wrong file uploaded", items = "reject" })).StatusCode);
        Assert.Equal("published", Outcome(await PublishAsync(admin), "eu")); // the first version of the list, empty
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "isp-reject", "eu");
        Assert.Equal(0, (await ListEndpointTests.SyncAsync(isp, ListState.Empty(ListName.Parse("eu")))).Count);

        var rejections = (await DecisionsAsync(api)).Where(d => d.Kind == DecisionKind.HoldReject).Select(d => (d.Subject.Disposition, d.Reason)).ToList();
        Assert.Equal([("keep-pending", "wait for the second analyst"), ("reject", "wrong file uploaded")], rejections);
        Assert.Equal(HttpStatusCode.NotFound, (await Decide(admin, "/api/v1/admin/holds/no-such-hold/reject", digest, new { reason = "x" })).StatusCode);
    }

    [Fact]
    public async Task Approving_a_held_review_item_logs_one_add_and_the_decision_with_its_actor_and_reason()
    {
        await using var api = PublishApi.OnMemoryStores(new Dictionary<string, string?> { ["Ingest:ProtectedHosts:0"] = "bigplatform.example" });
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "review-hotline");
        var (admin, adminKey) = await api.ClientForAsync(Roles.Admin, "reviewer");

        var receipt = await (await hotline.SendAsync(Payloads.Post(Payloads.Body(
            Payloads.Add("http://plain.example/1"), Payloads.Add("http://bigplatform.example/u/1"))))).JsonAsync();
        var submission = receipt.GetProperty("submissionId").GetString()!;
        Assert.Equal("published", Outcome(await PublishAsync(admin), "eu"));

        var missing = await admin.PostAsync($"/api/v1/admin/reviews/{submission}/items/1/approve", null);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.True((await missing.JsonAsync()).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/reviews/{submission}/items/1/approve", Payloads.Reason("only this user's page"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/v1/admin/reviews/{submission}/items/1/approve", Payloads.Reason("double click"))).StatusCode);
        Assert.Equal("published", Outcome(await PublishAsync(admin), "eu"));

        var leaves = await LeavesAsync(api);
        var adds = leaves.Where(l => l.Change is { Kind: LogLeafKind.Add }).Select(l => (l.Change!.Expression, l.Change.Version)).ToList();
        Assert.Equal([("plain.example/1", 1L), ("bigplatform.example/u/1", 2L)], adds);
        var review = Assert.Single(leaves, l => l.Decision?.Kind == DecisionKind.ReviewApprove).Decision!;
        Assert.Equal((adminKey.KeyId, "reviewer", "only this user's page", submission, 1), (review.Actor.KeyId, review.Actor.Organisation, review.Reason, review.Subject.Submission, review.Subject.Item!.Value));

        // the entry's history shows the decision before the change it let through
        var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "regulator");
        var history = await (await auditor.GetAsync("/api/v1/audit/entries?url=" + Uri.EscapeDataString("http://bigplatform.example/u/1") + "&scope=exact")).JsonAsync();
        var kinds = history.GetProperty("history").EnumerateArray().Select(h => TransparencyLeaf.Parse(Encoding.UTF8.GetBytes(h.GetProperty("leaf").GetString()!)).Value)
            .Select(l => l.Decision is { } d ? d.Kind.ToWireName() : l.Change!.Kind.ToWireName()).ToList();
        Assert.Equal(["review-approve", "add"], kinds);
    }

    [Fact]
    public async Task Manual_publish_and_key_issue_and_revoke_are_decisions_with_a_reason()
    {
        await using var api = PublishApi.OnMemoryStores();
        var (admin, adminKey) = await api.ClientForAsync(Roles.Admin, "keyholder");

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/admin/publish", null)).StatusCode);
        var noReason = await admin.PostAsJsonAsync("/api/v1/admin/keys", new { role = "auditor", organisation = "regulator" });
        Assert.True((await noReason.JsonAsync()).GetProperty("errors").TryGetProperty("reason", out _));
        await PublishAsync(admin);
        var issued = await (await admin.PostAsJsonAsync("/api/v1/admin/keys", new { role = "auditor", organisation = "regulator", reason = "annual audit 2026" })).JsonAsync();
        var keyId = issued.GetProperty("info").GetProperty("keyId").GetString()!;
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/admin/keys/{keyId}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeKeyAsync(keyId, "audit finished")).StatusCode);

        var decisions = await DecisionsAsync(api);
        Assert.Equal(
            [(DecisionKind.Publish, null, "publish in test"), (DecisionKind.KeyIssue, keyId, "annual audit 2026"), (DecisionKind.KeyRevoke, keyId, "audit finished")],
            decisions.Select(d => (d.Kind, d.Subject.Key, d.Reason)).ToList());
        Assert.All(decisions, d => Assert.Equal(adminKey.KeyId, d.Actor.KeyId));
    }

    private static async Task<JsonElement> PublishAsync(HttpClient admin) =>
        await (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"))).JsonAsync();

    private static string? Outcome(JsonElement run, string list) =>
        run.GetProperty("lists").EnumerateArray().Single(l => l.GetProperty("list").GetString() == list).GetProperty("outcome").GetString();

    private static string PolicyId(JsonElement holds) =>
        holds.GetProperty("holds").EnumerateArray().Single(h => h.GetProperty("list").GetString() == "eu" && h.GetProperty("status").GetString() == "held").GetProperty("id").GetString()!;

    private static Task<HttpResponseMessage> Decide(HttpClient client, string path, string digest, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("If-Match", $"\"{digest}\"");
        return client.SendAsync(request);
    }

    private static async Task<IReadOnlyList<TransparencyLeaf>> LeavesAsync(ApiFactory api)
    {
        var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "leaf-reader");
        var size = (await (await auditor.GetAsync("/api/v1/audit/log/checkpoint")).JsonAsync()).GetProperty("size").GetInt64();
        var page = await (await auditor.GetAsync($"/api/v1/audit/log/leaves?start=0&end={size}")).JsonAsync();
        return page.GetProperty("leaves").EnumerateArray().Select(l => TransparencyLeaf.Parse(Encoding.UTF8.GetBytes(l.GetProperty("leaf").GetString()!)).Value).ToList();
    }

    private static async Task<IReadOnlyList<DecisionLeaf>> DecisionsAsync(ApiFactory api) =>
        (await LeavesAsync(api)).Where(l => l.Decision is not null).Select(l => l.Decision!).ToList();
}
