using System.Net.Http.Headers;
using System.Text;
using BlocklistService.Cli.Audit;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Storage.Tables;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Audit;

/// <summary>
/// <c>audit verify</c> against the real API and a log in Azurite: an untouched log verifies; altering, removing or
/// reordering a stored leaf, rewriting a manifest or forking the log is reported with the exact leaf and version.
/// </summary>
public sealed class AuditVerifyTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private ApiFactory _api = null!;
    private AuditLogWorld _world = null!;
    private string _state = null!;

    public async Task InitializeAsync()
    {
        _api = new ApiFactory(storage.ConnectionString);
        _world = new AuditLogWorld(storage.ConnectionString, _api.TablePrefix);
        await _world.CreateAsync();
        await _world.SeedStoryAsync();
        _state = Directory.CreateTempSubdirectory("audit-state").FullName;
    }

    public async Task DisposeAsync()
    {
        _world.Dispose();
        await _api.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    private async Task<AuditReport> VerifyAsync()
    {
        var (client, _) = await _api.ClientForAsync(Roles.Auditor, "regulator");
        var http = _api.CreateClient();
        http.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        using var keys = SignatureVerifier.FromSpki([_world.Signer.PublicKeySpki]);
        return await new AuditVerifier(http, keys, _state).VerifyAsync(CancellationToken.None);
    }

    private Task<TableClient> LeavesAsync() => Task.FromResult(_world.Storage.Table("logleaves"));

    private async Task<string> LeafTextAsync(long index) =>
        (await (await LeavesAsync()).GetEntityAsync("leaves-0", index.ToString("D12"))).Value.GetString("Leaf")!;

    private async Task WriteLeafAsync(long index, string text)
    {
        var entity = new TableEntity("leaves-0", index.ToString("D12")) { ["Leaf"] = text };
        await (await LeavesAsync()).UpsertEntityAsync(entity, TableUpdateMode.Merge);
    }

    [Fact]
    public async Task An_untouched_log_verifies_with_counts_and_a_second_run_proves_consistency_with_the_first()
    {
        var report = await VerifyAsync();
        Assert.True(report.Ok, report.Discrepancy);
        Assert.Equal(8, report.TreeSize);
        Assert.Equal(2, report.Lists);
        Assert.Equal(6, report.Manifests);

        await _world.PublishAsync("uk", [AuditLogWorld.Change(Domain.Transparency.LogLeafKind.Add, "uk", "more.example/x", "h1", "r9")], [AuditLogWorld.D, "more.example/x"]);
        var second = await VerifyAsync();
        Assert.True(second.Ok, second.Discrepancy);
        Assert.Equal(9, second.TreeSize);
        Assert.Equal(1, second.ConsistencyProofs);
        Assert.Equal(2, second.CheckpointsSeen);
    }

    [Fact]
    public async Task Decision_leaves_between_versions_replay_and_an_altered_reason_is_reported_at_its_index()
    {
        var decision = new Domain.Transparency.DecisionLeaf
        {
            Kind = Domain.Transparency.DecisionKind.HoldApprove,
            Actor = new Domain.Transparency.DecisionActor("0123456789abcdef", "operator", "admin"),
            Reason = "first publish of uk, every entry checked",
            DecidedAt = _world.Now,
            Subject = new Domain.Transparency.DecisionSubject { List = ListName.Parse("uk"), Version = 2, Entries = [Domain.Entries.EntryId.ForExpression("more.example/x")] },
        }.ToJson();
        await _world.Log.AppendDecisionAsync("hold-approve-uk-2", "decisions/hold-approve-uk-2.json", decision, _world.Now, default);
        await _world.PublishAsync("uk", [AuditLogWorld.Change(Domain.Transparency.LogLeafKind.Add, "uk", "more.example/x", "h1", "r9")], [AuditLogWorld.D, "more.example/x"]);

        var report = await VerifyAsync();
        Assert.True(report.Ok, report.Discrepancy);
        Assert.Equal(10, report.TreeSize);
        Assert.Equal(1, report.Decisions);
        Assert.Equal(7, report.Manifests);

        await WriteLeafAsync(8, (await LeafTextAsync(8)).Replace("every entry checked", "nothing checked", StringComparison.Ordinal));
        var altered = await VerifyAsync();
        Assert.False(altered.Ok);
        Assert.Equal(8, altered.LeafIndex);
        Assert.Contains("decision hold-approve by key 0123456789abcdef", altered.Discrepancy);
    }

    [Fact]
    public async Task An_altered_leaf_is_reported_with_its_index_and_version()
    {
        var original = await LeafTextAsync(3);
        await WriteLeafAsync(3, original.Replace("\"reference\":\"r4\"", "\"reference\":\"forged\"", StringComparison.Ordinal));
        var report = await VerifyAsync();
        Assert.False(report.Ok);
        Assert.Equal(3, report.LeafIndex);
        Assert.Equal("eu", report.List);
        Assert.Equal(2, report.Version);
        Assert.Contains("leaf 3", report.Discrepancy);
    }

    [Fact]
    public async Task A_removed_leaf_is_reported_as_missing_at_its_index()
    {
        await (await LeavesAsync()).DeleteEntityAsync("leaves-0", 5L.ToString("D12"));
        var report = await VerifyAsync();
        Assert.False(report.Ok);
        Assert.Equal(5, report.LeafIndex);
        Assert.Contains("leaf 5 is missing", report.Discrepancy);
    }

    [Fact]
    public async Task Swapped_leaves_are_reported_at_the_first_displaced_one()
    {
        var (one, two) = (await LeafTextAsync(1), await LeafTextAsync(2));
        await WriteLeafAsync(1, two);
        await WriteLeafAsync(2, one);
        var report = await VerifyAsync();
        Assert.False(report.Ok);
        Assert.Equal(1, report.LeafIndex);
        Assert.Equal(2, report.Version);
    }

    [Fact]
    public async Task A_rewritten_manifest_is_reported_with_its_list_and_version()
    {
        var container = _world.Storage.Container("artifacts");
        var path = ArtifactPaths.Manifest(ListName.Parse("eu"), 3);
        var bytes = (await container.GetBlobClient(path).DownloadContentAsync()).Value.Content.ToString();
        var forged = Encoding.UTF8.GetBytes(bytes.Replace("\"entryCount\":2", "\"entryCount\":3", StringComparison.Ordinal));
        await container.GetBlobClient(path).UploadAsync(BinaryData.FromBytes(forged), overwrite: true);

        var report = await VerifyAsync();
        Assert.False(report.Ok);
        Assert.Equal("eu", report.List);
        Assert.Equal(3, report.Version);
        Assert.Contains("signature does not verify", report.Discrepancy);
    }

    [Fact]
    public async Task A_manifest_re_signed_with_the_service_key_but_a_false_state_is_caught_by_the_replay()
    {
        var container = _world.Storage.Container("artifacts");
        var path = ArtifactPaths.Manifest(ListName.Parse("uk"), 1);
        var manifest = Manifest.FromJson((await container.GetBlobClient(path).DownloadContentAsync()).Value.Content.ToArray()).Value;
        var forged = (manifest with { EntryCount = 0, StateHash = LtHash16.EmptyStateHash }).ToJson();
        await container.GetBlobClient(path).UploadAsync(BinaryData.FromBytes(forged), overwrite: true);
        await container.GetBlobClient(path + ".sig").UploadAsync(BinaryData.FromBytes(await _world.Signer.SignAsync(forged, default)), overwrite: true);

        var report = await VerifyAsync();
        Assert.False(report.Ok);
        Assert.Equal(("uk", 1L), (report.List, report.Version));
        Assert.Contains("replaying the log gives 1 entries", report.Discrepancy);
    }

    [Fact]
    public async Task A_log_that_forks_from_a_checkpoint_seen_earlier_fails_the_consistency_check()
    {
        Assert.True((await VerifyAsync()).Ok);
        var seen = Path.Combine(_state, "audit", "checkpoints.json");
        var text = await File.ReadAllTextAsync(seen);
        var root = System.Text.Json.JsonDocument.Parse(text).RootElement[0].GetProperty("rootHash").GetString()!;
        await File.WriteAllTextAsync(seen, text.Replace(root, new string('a', 64), StringComparison.Ordinal).Replace("\"size\":8", "\"size\":4", StringComparison.Ordinal));

        var report = await VerifyAsync();
        Assert.False(report.Ok);
        Assert.Contains("checkpoints of size 4 and 8 are not consistent", report.Discrepancy);
    }
}
