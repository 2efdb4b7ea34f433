using System.Net;
using System.Net.Http.Json;
using System.Text;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Endpoints;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Decisions;

/// <summary>Emergency revert over HTTP on Azurite: the old state hash comes back as a new signed version, logged as a decision.</summary>
public sealed class RevertTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_revert_publishes_the_old_state_as_a_new_signed_version_that_isps_apply_and_the_log_replays()
    {
        await using var api = PublishApi.Create(storage.ConnectionString);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "revert-hotline");
        var (other, _) = await api.ClientForAsync(Roles.Hotline, "second-hotline");
        var (admin, adminKey) = await api.ClientForAsync(Roles.Admin, "duty-officer");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "isp-revert", "eu");

        await ListEndpointTests.SubmitAsync(hotline, Payloads.Add("http://keep.example/1"), Payloads.Add("http://gone.example/2"));
        await ListEndpointTests.SubmitAsync(other, Payloads.Add("http://gone.example/2"));
        await PublishAsync(admin);
        var v1 = await ListEndpointTests.SyncAsync(isp, ListState.Empty(ListName.Parse("eu")));

        // version 2: a wrong file — a removal that should not have happened and two adds backed by both hotlines
        await ListEndpointTests.SubmitAsync(hotline, Payloads.Remove("http://gone.example/2"), Payloads.Add("http://wrong.example/a"), Payloads.Add("http://wrong.example/b"));
        await ListEndpointTests.SubmitAsync(other, Payloads.Remove("http://gone.example/2"), Payloads.Add("http://wrong.example/a"));
        await PublishAsync(admin);
        var v2 = await ListEndpointTests.SyncAsync(isp, v1);
        Assert.NotEqual(v1.StateHash, v2.StateHash);

        var noReason = await admin.PostAsJsonAsync("/api/v1/admin/lists/eu/revert", new { toVersion = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var future = await admin.PostAsJsonAsync("/api/v1/admin/lists/eu/revert", new { toVersion = 2, reason = "x" });
        Assert.True((await future.JsonAsync()).GetProperty("errors").TryGetProperty("toVersion", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/api/v1/admin/lists/nope/revert", new { toVersion = 1, reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await isp.PostAsJsonAsync("/api/v1/admin/lists/eu/revert", new { toVersion = 1, reason = "x" })).StatusCode);

        var reverted = await admin.PostAsJsonAsync("/api/v1/admin/lists/eu/revert", new { toVersion = 1, reason = "version 2 was built from the wrong file" });
        Assert.Equal(HttpStatusCode.OK, reverted.StatusCode);
        var body = await reverted.JsonAsync();
        Assert.Equal((3L, v1.StateHash, 1, 2), (body.GetProperty("version").GetInt64(), body.GetProperty("stateHash").GetString(), body.GetProperty("listed").GetInt32(), body.GetProperty("unlisted").GetInt32()));

        var v3 = await ListEndpointTests.SyncAsync(isp, v2);
        Assert.Equal(3, v3.Version);
        Assert.Equal(v1.StateHash, v3.StateHash);
        Assert.Equal(v1.Entries.Select(e => e.Expression).Order(), v3.Entries.Select(e => e.Expression).Order());

        // the decision precedes the version's leaves; both hotlines' backings of gone.example/2 came back
        var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "revert-auditor");
        var size = (await (await auditor.GetAsync("/api/v1/audit/log/checkpoint")).JsonAsync()).GetProperty("size").GetInt64();
        var page = await (await auditor.GetAsync($"/api/v1/audit/log/leaves?start=0&end={size}")).JsonAsync();
        var leaves = page.GetProperty("leaves").EnumerateArray().Select(l => TransparencyLeaf.Parse(Encoding.UTF8.GetBytes(l.GetProperty("leaf").GetString()!)).Value).ToList();
        var revert = leaves.FindIndex(l => l.Decision?.Kind == DecisionKind.Revert);
        var decision = leaves[revert].Decision!;
        Assert.Equal((adminKey.KeyId, "version 2 was built from the wrong file", 1L, 3L), (decision.Actor.KeyId, decision.Reason, decision.Subject.ToVersion!.Value, decision.Subject.Version!.Value));
        var changes = leaves.Skip(revert + 1).Select(l => l.Change!).ToList();
        Assert.All(changes, c => Assert.Equal((3L, "emergency revert to version 1"), (c.Version, c.Reason)));
        Assert.Equal(["revert-hotline", "second-hotline"], changes.Where(c => c.Kind == LogLeafKind.Add).Select(c => c.Hotline).Order());
        Assert.Equal(3, changes.Count(c => c.Kind is LogLeafKind.Withdraw or LogLeafKind.Remove));

        // the reverted state is the base of the next cycle: a new add publishes on top of it
        await ListEndpointTests.SubmitAsync(hotline, Payloads.Add("http://after.example/1"));
        await PublishAsync(admin);
        var v4 = await ListEndpointTests.SyncAsync(isp, v3);
        Assert.Equal(v1.Count + 1, v4.Count);
    }

    [Fact]
    public async Task A_revert_preview_names_the_version_and_the_entries_it_would_change_and_writes_nothing()
    {
        await using var api = PublishApi.Create(storage.ConnectionString);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "preview-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "preview-officer");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "isp-preview", "eu");
        var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "preview-auditor");
        await ListEndpointTests.SubmitAsync(hotline, Payloads.Add("http://stay.example/1"), Payloads.Add("http://back.example/2"));
        await PublishAsync(admin);
        await ListEndpointTests.SubmitAsync(hotline, Payloads.Remove("http://back.example/2"), Payloads.Add("http://new.example/a"),
            Payloads.Add("http://new.example/b"), Payloads.Add("http://new.example/c"));
        await PublishAsync(admin);
        var before = await (await admin.GetAsync("/api/v1/admin/lists")).JsonAsync();
        var logBefore = (await (await auditor.GetAsync("/api/v1/audit/log/checkpoint")).JsonAsync()).GetProperty("size").GetInt64();

        var preview = await admin.GetAsync("/api/v1/admin/lists/eu/revert?toVersion=1");
        var previewAgain = await (await admin.GetAsync("/api/v1/admin/lists/eu/revert?toVersion=1")).JsonAsync();
        var after = await (await admin.GetAsync("/api/v1/admin/lists")).JsonAsync();
        var logAfter = (await (await auditor.GetAsync("/api/v1/audit/log/checkpoint")).JsonAsync()).GetProperty("size").GetInt64();
        var missing = await admin.GetAsync("/api/v1/admin/lists/eu/revert");
        var notEarlier = await admin.GetAsync("/api/v1/admin/lists/eu/revert?toVersion=2");
        var notNumber = await admin.GetAsync("/api/v1/admin/lists/eu/revert?toVersion=one");
        var unknown = await admin.GetAsync("/api/v1/admin/lists/nope/revert?toVersion=1");
        var refused = await isp.GetAsync("/api/v1/admin/lists/eu/revert?toVersion=1");
        var reverted = await (await admin.PostAsJsonAsync("/api/v1/admin/lists/eu/revert", new { toVersion = 1, reason = "version 2 was wrong" })).JsonAsync();

        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        var body = await preview.JsonAsync();
        Assert.Equal(("eu", 2L, 1L, 3L), (body.GetProperty("list").GetString(), body.GetProperty("version").GetInt64(), body.GetProperty("toVersion").GetInt64(), body.GetProperty("newVersion").GetInt64()));
        Assert.Equal((1, 3, 4, 2), (body.GetProperty("listed").GetInt32(), body.GetProperty("unlisted").GetInt32(), body.GetProperty("changes").GetInt32(), body.GetProperty("entryCount").GetInt32()));
        Assert.Equal(body.ToString(), previewAgain.ToString());
        Assert.Equal(before.ToString(), after.ToString());
        Assert.Equal(logBefore, logAfter);
        foreach (var bad in new[] { missing, notEarlier, notNumber })
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("toVersion", out _));
        }

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // the revert then does what the preview said
        Assert.Equal((body.GetProperty("newVersion").GetInt64(), body.GetProperty("stateHash").GetString(), 1, 3),
            (reverted.GetProperty("version").GetInt64(), reverted.GetProperty("stateHash").GetString(), reverted.GetProperty("listed").GetInt32(), reverted.GetProperty("unlisted").GetInt32()));
    }

    private static async Task PublishAsync(HttpClient admin) =>
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"))).StatusCode);
}
