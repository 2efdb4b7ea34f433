using System.Net;
using System.Text;
using System.Text.Json;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Endpoints;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Endpoints;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Decisions;

/// <summary>
/// A host that becomes protected by a configuration change (over HTTP on Azurite, the same storage restarted with a new
/// setting): entries already listed on it, whole-host and narrower alike, are put up for review once, stay listed until
/// decided, and an admin keeps or delists each with a logged reason.
/// </summary>
public sealed class ProtectedHostSweepTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Entries_on_a_newly_protected_host_are_put_up_for_review_once_and_kept_or_delisted_with_a_reason()
    {
        var shared = SharedStorage();
        JsonElement before;
        await using (var first = PublishApi.Create(storage.ConnectionString, shared))
        {
            var (hotline, _) = await first.ClientForAsync(Roles.Hotline, "sweep-hotline");
            var (other, _) = await first.ClientForAsync(Roles.Hotline, "second-hotline");
            var (admin, _) = await first.ClientForAsync(Roles.Admin, "operator");
            await ListEndpointTests.SubmitAsync(hotline, Payloads.Add("http://files.newly.example/", "host"), Payloads.Add("http://cdn.later.example/", "host"),
                Payloads.Add("http://newly.example/page/1"), Payloads.Add("http://unrelated.example/", "host"));
            await ListEndpointTests.SubmitAsync(other, Payloads.Add("http://files.newly.example/", "host"));
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"))).StatusCode);
            before = await (await admin.GetAsync("/api/v1/admin/reviews")).JsonAsync();
        }

        // the operator protects newly.example and later.example; the restarted service sweeps the listed entries
        var protecting = new Dictionary<string, string?>(shared) { ["Ingest:ProtectedHosts:0"] = "newly.example", ["Ingest:ProtectedHosts:1"] = "later.example" };
        await using var api = PublishApi.Create(storage.ConnectionString, protecting);
        var (admin2, adminKey) = await api.ClientForAsync(Roles.Admin, "duty-officer");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "isp-sweep", "eu");
        var queued = await (await admin2.GetAsync("/api/v1/admin/reviews")).JsonAsync();
        await api.Services.GetServices<IStartupStep>().OfType<ProtectedHostSweep>().Single().RunAsync(CancellationToken.None);
        var sweptAgain = await (await admin2.GetAsync("/api/v1/admin/reviews")).JsonAsync();
        var stillListed = await ListEndpointTests.SyncAsync(isp, ListState.Empty(ListName.Parse("eu")));

        Assert.Equal(0, before.GetProperty("listed").GetArrayLength());
        var listed = queued.GetProperty("listed").EnumerateArray().OrderBy(r => r.GetProperty("expression").GetString()).ToList();
        Assert.Equal(["cdn.later.example/", "files.newly.example/", "newly.example/page/1"], listed.Select(r => r.GetProperty("expression").GetString()));
        Assert.Equal(["later.example", "newly.example", "newly.example"], listed.Select(r => r.GetProperty("protectedHost").GetString()));
        Assert.Equal(["host", "host", "exact"], listed.Select(r => r.GetProperty("scope").GetString()));
        Assert.Equal(["second-hotline", "sweep-hotline"], listed[1].GetProperty("hotlines").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(queued.GetProperty("listed").ToString(), sweptAgain.GetProperty("listed").ToString());
        Assert.Equal(4, stillListed.Count);

        var cdn = listed[0];
        var files = listed[1];
        var page = listed[2];
        var keepPath = $"/api/v1/admin/reviews/listed/eu/{cdn.GetProperty("entryId").GetString()}/keep";
        var delistPath = $"/api/v1/admin/reviews/listed/eu/{files.GetProperty("entryId").GetString()}/delist";
        var noReason = await admin2.PostAsync(keepPath, Payloads.Reason(" "));
        var (hotlineNow, _) = await api.ClientForAsync(Roles.Hotline, "sweep-hotline");
        var notAdmin = await hotlineNow.PostAsync(keepPath, Payloads.Reason("mine"));
        var unknown = await admin2.PostAsync($"/api/v1/admin/reviews/listed/eu/{new string('a', 64)}/keep", Payloads.Reason("x"));
        var kept = await admin2.PostAsync(keepPath, Payloads.Reason("cdn.later.example serves only the abuse site"));
        var delisted = await admin2.PostAsync(delistPath, Payloads.Reason("files.newly.example hosts the service's ordinary users"));
        var again = await admin2.PostAsync(delistPath, Payloads.Reason("twice"));
        var reversed = await admin2.PostAsync(delistPath.Replace("/delist", "/keep", StringComparison.Ordinal), Payloads.Reason("changed my mind"));
        var keptPage = await admin2.PostAsync($"/api/v1/admin/reviews/listed/eu/{page.GetProperty("entryId").GetString()}/keep", Payloads.Reason("one image, not the service"));
        var after = await (await admin2.GetAsync("/api/v1/admin/reviews")).JsonAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin2.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish the delisting"))).StatusCode);
        var published = await ListEndpointTests.SyncAsync(isp, stillListed);

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.True((await noReason.JsonAsync()).GetProperty("errors").TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("kept", (await kept.JsonAsync()).GetProperty("result").GetString());
        var delistedAnswer = await delisted.Content.ReadAsStringAsync();
        Assert.Contains("\"result\":\"delisted\"", delistedAnswer, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(delistedAnswer, await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, reversed.StatusCode);
        Assert.Equal("kept", (await keptPage.JsonAsync()).GetProperty("result").GetString());
        Assert.Equal(0, after.GetProperty("listed").GetArrayLength());
        Assert.Equal(["cdn.later.example/", "newly.example/page/1", "unrelated.example/"], published.Entries.Select(e => e.Expression).Order().ToArray());

        // both decisions are log leaves with actor, reason and the entry; the delisting withdrew both hotlines' backings
        var leaves = await LeavesAsync(api);
        var decisions = leaves.Where(l => l.Decision?.Subject.Disposition is "keep-listed" or "delist").Select(l => l.Decision!).ToList();
        Assert.Equal([(DecisionKind.ReviewApprove, "keep-listed"), (DecisionKind.ReviewReject, "delist"), (DecisionKind.ReviewApprove, "keep-listed")], decisions.Select(d => (d.Kind, d.Subject.Disposition!)));
        Assert.All(decisions, d => Assert.Equal(adminKey.KeyId, d.Actor.KeyId));
        Assert.Equal(files.GetProperty("entryId").GetString(), Assert.Single(decisions[1].Subject.Entries).Hex);
        var removal = leaves.Where(l => l.Change is { } c && c.Expression == "files.newly.example/" && c.Version == 2).Select(l => (l.Change!.Kind, l.Change.Hotline)).ToList();
        Assert.Equal([(LogLeafKind.Withdraw, "second-hotline"), (LogLeafKind.Remove, "sweep-hotline")], removal.OrderBy(r => r.Hotline).ToList());
    }

    [Fact]
    public async Task The_first_decision_on_a_listed_entry_is_pinned_the_same_choice_again_answers_the_same_and_the_other_is_refused_naming_it()
    {
        var queued = await QueuedAsync("kept", "delisted");
        await using var api = queued.Api;
        var (kept, delisted) = (queued.EntryIds[0], queued.EntryIds[1]);

        var keep = await queued.Admin.PostAsync($"/api/v1/admin/reviews/listed/eu/{kept}/keep", Payloads.Reason("serves only the abuse site"));
        var keepAgain = await queued.Admin.PostAsync($"/api/v1/admin/reviews/listed/eu/{kept}/keep", Payloads.Reason("pressed twice"));
        var delistKept = await queued.Admin.PostAsync($"/api/v1/admin/reviews/listed/eu/{kept}/delist", Payloads.Reason("second thoughts"));
        var delist = await queued.Admin.PostAsync($"/api/v1/admin/reviews/listed/eu/{delisted}/delist", Payloads.Reason("ordinary users live here"));
        var keepDelisted = await queued.Admin.PostAsync($"/api/v1/admin/reviews/listed/eu/{delisted}/keep", Payloads.Reason("second thoughts"));
        Assert.Equal(HttpStatusCode.OK, (await queued.Admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish the decisions"))).StatusCode);
        var published = await ListEndpointTests.SyncAsync(queued.Isp, ListState.Empty(ListName.Parse("eu")));

        Assert.Equal(HttpStatusCode.OK, keep.StatusCode);
        Assert.Equal(HttpStatusCode.OK, keepAgain.StatusCode);
        Assert.Equal(await keep.Content.ReadAsStringAsync(), await keepAgain.Content.ReadAsStringAsync());
        var keptIndex = (await keep.JsonAsync()).GetProperty("decisionIndex").GetInt64();
        var delistedIndex = (await delist.JsonAsync()).GetProperty("decisionIndex").GetInt64();
        foreach (var (refused, first, index) in new[] { (delistKept, "kept", keptIndex), (keepDelisted, "delisted", delistedIndex) })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.JsonAsync();
            Assert.Equal(Problems.TypeOf("already-decided"), problem.GetProperty("type").GetString());
            Assert.Contains($"already {first} by decision {index} at ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // one leaf per entry, the first decision's; the kept entry is still listed, the delisted one is gone
        var decided = (await LeavesAsync(api)).Where(l => l.Decision?.Subject.Disposition is "keep-listed" or "delist")
            .Select(l => (Entry: l.Decision!.Subject.Entries.Single().Hex, l.Decision.Subject.Disposition)).ToList();
        Assert.Equal([(kept, "keep-listed"), (delisted, "delist")], decided);
        Assert.Equal(["kept.pinned.example/"], published.Entries.Select(e => e.Expression).ToArray());
    }

    [Fact]
    public async Task Of_a_keep_and_a_delist_sent_at_once_exactly_one_wins_and_the_other_is_refused_naming_it()
    {
        var queued = await QueuedAsync("race-1", "race-2", "race-3");
        await using var api = queued.Api;

        var races = await Task.WhenAll(queued.EntryIds.Select(async entry =>
        {
            var answers = await Task.WhenAll(
                queued.Admin.PostAsync($"/api/v1/admin/reviews/listed/eu/{entry}/keep", Payloads.Reason("keep it")),
                queued.Admin.PostAsync($"/api/v1/admin/reviews/listed/eu/{entry}/delist", Payloads.Reason("delist it")));
            return (Entry: entry, Keep: answers[0], Delist: answers[1]);
        }));
        Assert.Equal(HttpStatusCode.OK, (await queued.Admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish the decisions"))).StatusCode);
        var published = (await ListEndpointTests.SyncAsync(queued.Isp, ListState.Empty(ListName.Parse("eu")))).Entries.Select(e => e.Id.Hex).ToHashSet();
        var leaves = await LeavesAsync(api);

        foreach (var (entry, keep, delist) in races)
        {
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], new[] { keep.StatusCode, delist.StatusCode }.Order());
            var (winner, loser) = keep.StatusCode == HttpStatusCode.OK ? (keep, delist) : (delist, keep);
            var won = await winner.JsonAsync();
            var result = won.GetProperty("result").GetString()!;
            Assert.Contains($"already {result} by decision {won.GetProperty("decisionIndex").GetInt64()} at ",
                (await loser.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
            var decision = Assert.Single(leaves, l => l.Decision?.Subject.Entries.Any(e => e.Hex == entry) == true).Decision!;
            Assert.Equal(result == "kept" ? "keep-listed" : "delist", decision.Subject.Disposition);
            Assert.Equal(result == "kept", published.Contains(entry));
        }
    }

    [Fact]
    public async Task A_delist_cut_off_after_its_decision_leaf_is_finished_by_the_next_request_even_one_asking_to_keep()
    {
        var outage = new StorageOutage();
        var queued = await QueuedAsync(outage.Install, "cut-off");
        var entry = queued.EntryIds[0];
        HttpResponseMessage killed;
        await using (queued.Api)
        {
            // the journal is unreachable once the leaf is logged: the withdrawal, the decided record and the dequeue never happen
            outage.Start(OutageKind.Refused, StorageNames.Submissions);
            killed = await queued.Admin.PostAsync($"/api/v1/admin/reviews/listed/eu/{entry}/delist", Payloads.Reason("ordinary users live here"));
            outage.End();
        }

        await using var restarted = PublishApi.Create(storage.ConnectionString, queued.Settings);
        var (admin, _) = await restarted.ClientForAsync(Roles.Admin, "next-officer");
        var (isp, _) = await restarted.ClientForAsync(Roles.Isp, "isp-cut-off", "eu");
        var waiting = await (await admin.GetAsync("/api/v1/admin/reviews")).JsonAsync();
        var keep = await admin.PostAsync($"/api/v1/admin/reviews/listed/eu/{entry}/keep", Payloads.Reason("keep it after all"));
        var left = await (await admin.GetAsync("/api/v1/admin/reviews")).JsonAsync();
        var delistAgain = await admin.PostAsync($"/api/v1/admin/reviews/listed/eu/{entry}/delist", Payloads.Reason("retry"));
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish the delisting"))).StatusCode);
        var published = await ListEndpointTests.SyncAsync(isp, ListState.Empty(ListName.Parse("eu")));

        Assert.True((int)killed.StatusCode >= 500, $"the cut-off request answered {killed.StatusCode}");
        Assert.Equal([entry], waiting.GetProperty("listed").EnumerateArray().Select(r => r.GetProperty("entryId").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, keep.StatusCode);
        var decision = Assert.Single(await LeavesAsync(restarted), l => l.Decision?.Subject.Entries.Any(e => e.Hex == entry) == true).Decision!;
        Assert.Equal("delist", decision.Subject.Disposition);
        Assert.Contains("already delisted by decision ", (await keep.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, left.GetProperty("listed").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, delistAgain.StatusCode);
        Assert.Equal("delisted", (await delistAgain.JsonAsync()).GetProperty("result").GetString());
        Assert.Empty(published.Entries);
    }

    /// <summary>
    /// What <see cref="QueuedAsync"/> leaves: the restarted server, its admin and ISP clients, the entries under review,
    /// and the settings that start another server on the same storage.
    /// </summary>
    private sealed record Queued(ApiFactory Api, HttpClient Admin, HttpClient Isp, IReadOnlyList<string> EntryIds, IReadOnlyDictionary<string, string?> Settings);

    private Task<Queued> QueuedAsync(params string[] labels) => QueuedAsync(null, labels);

    /// <summary>
    /// Lists <c>{label}.pinned.example</c> (whole host) for each label through a published version, then restarts the
    /// service with <c>pinned.example</c> protected, so the sweep puts each up for review; entry ids in label order.
    /// </summary>
    private async Task<Queued> QueuedAsync(Action<IServiceCollection>? services, params string[] labels)
    {
        var shared = SharedStorage();
        await using (var first = PublishApi.Create(storage.ConnectionString, shared))
        {
            var (hotline, _) = await first.ClientForAsync(Roles.Hotline, "pinned-hotline");
            var (admin, _) = await first.ClientForAsync(Roles.Admin, "operator");
            await ListEndpointTests.SubmitAsync(hotline, labels.Select(l => Payloads.Add($"http://{l}.pinned.example/", "host")).ToArray());
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"))).StatusCode);
        }

        var protecting = new Dictionary<string, string?>(shared) { ["Ingest:ProtectedHosts:0"] = "pinned.example" };
        var api = PublishApi.Create(storage.ConnectionString, protecting, services);
        var (admin2, _) = await api.ClientForAsync(Roles.Admin, "duty-officer");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "isp-pinned", "eu");
        var listed = (await (await admin2.GetAsync("/api/v1/admin/reviews")).JsonAsync()).GetProperty("listed").EnumerateArray()
            .ToDictionary(r => r.GetProperty("expression").GetString()!, r => r.GetProperty("entryId").GetString()!);
        return new Queued(api, admin2, isp, labels.Select(l => listed[$"{l}.pinned.example/"]).ToList(), protecting);
    }

    /// <summary>One table prefix and signing key for every server of the test, so a restart sees the same storage.</summary>
    private static Dictionary<string, string?> SharedStorage()
    {
        var pem = Path.Combine(Path.GetTempPath(), Azurite.UniqueName("key") + ".pem");
        using (var signer = PemArtifactSigner.Generate())
        {
            File.WriteAllText(pem, signer.ToPkcs8Pem());
        }

        return new Dictionary<string, string?> { ["Storage:TablePrefix"] = Azurite.UniqueName("t")[..13], ["Signing:PemPath"] = pem };
    }

    private static async Task<IReadOnlyList<TransparencyLeaf>> LeavesAsync(ApiFactory api)
    {
        var (auditor, _) = await api.ClientForAsync(Roles.Auditor, "leaf-reader");
        var size = (await (await auditor.GetAsync("/api/v1/audit/log/checkpoint")).JsonAsync()).GetProperty("size").GetInt64();
        var page = await (await auditor.GetAsync($"/api/v1/audit/log/leaves?start=0&end={size}")).JsonAsync();
        return page.GetProperty("leaves").EnumerateArray().Select(l => TransparencyLeaf.Parse(Encoding.UTF8.GetBytes(l.GetProperty("leaf").GetString()!)).Value).ToList();
    }
}
