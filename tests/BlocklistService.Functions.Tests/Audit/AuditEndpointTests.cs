using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Audit;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Audit;

/// <summary>The auditor routes over HTTP against a log written into Azurite by the real log store.</summary>
public sealed class AuditEndpointTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private ApiFactory _api = null!;
    private AuditLogWorld _world = null!;
    private HttpClient _auditor = null!;

    public async Task InitializeAsync()
    {
        _api = new ApiFactory(storage.ConnectionString);
        _world = new AuditLogWorld(storage.ConnectionString, _api.TablePrefix);
        await _world.CreateAsync();
        await _world.SeedStoryAsync();
        (_auditor, _) = await _api.ClientForAsync(Roles.Auditor, "regulator");
    }

    public async Task DisposeAsync()
    {
        _world.Dispose();
        await _api.DisposeAsync();
    }

    private async Task<T> GetAsync<T>(string path)
    {
        var response = await _auditor.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    [Fact]
    public async Task The_checkpoint_is_signed_and_commits_to_every_leaf()
    {
        var checkpoint = await GetAsync<CheckpointResponse>("/api/v1/audit/log/checkpoint");
        Assert.Equal(8, checkpoint.Size);
        Assert.Equal(Convert.ToHexStringLower(MerkleTree.Root(_world.Leaves.Select(l => MerkleHash.Leaf(l)).ToList())), checkpoint.RootHash);
        Assert.Equal(_world.Signer.KeyId, checkpoint.KeyId);
        using var verifier = SignatureVerifier.FromSpki([_world.Signer.PublicKeySpki]);
        Assert.True(verifier.Verify(Convert.FromBase64String(checkpoint.Checkpoint), Convert.FromBase64String(checkpoint.Signature), checkpoint.KeyId));

        var older = await GetAsync<CheckpointResponse>("/api/v1/audit/log/checkpoint?size=4");
        Assert.Equal(Convert.ToHexStringLower(MerkleTree.Root(_world.Leaves.Take(4).Select(l => MerkleHash.Leaf(l)).ToList())), older.RootHash);
        Assert.Equal(HttpStatusCode.NotFound, (await _auditor.GetAsync("/api/v1/audit/log/checkpoint?size=3")).StatusCode);
    }

    [Fact]
    public async Task Leaves_come_back_byte_exact_with_their_hashes_and_pages_respect_start_and_end()
    {
        var all = await GetAsync<LeavesResponse>("/api/v1/audit/log/leaves");
        Assert.Equal(8, all.TreeSize);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (long)i), all.Leaves.Select(l => l.Index));
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(_world.Leaves[i], Encoding.UTF8.GetBytes(all.Leaves[i].Leaf));
            Assert.Equal(Convert.ToHexStringLower(MerkleHash.Leaf(_world.Leaves[i])), all.Leaves[i].LeafHash);
        }

        var page = await GetAsync<LeavesResponse>("/api/v1/audit/log/leaves?start=3&end=6");
        Assert.Equal([3L, 4L, 5L], page.Leaves.Select(l => l.Index));
    }

    [Fact]
    public async Task Every_inclusion_proof_served_verifies_and_equals_the_proof_computed_from_all_leaves()
    {
        var hashes = _world.Leaves.Select(l => MerkleHash.Leaf(l)).ToList();
        for (var size = 1; size <= hashes.Count; size++)
        {
            var root = MerkleTree.Root(hashes.Take(size).ToList());
            for (var index = 0; index < size; index++)
            {
                var proof = await GetAsync<InclusionProofResponse>($"/api/v1/audit/log/proofs/inclusion?index={index}&size={size}");
                var path = proof.AuditPath.Select(Convert.FromHexString).ToList();
                Assert.Equal(Convert.ToHexStringLower(root), proof.RootHash);
                Assert.Equal(MerkleTree.InclusionProof(hashes, index, size).Select(Convert.ToHexStringLower), proof.AuditPath);
                Assert.Null(MerkleVerifier.CheckInclusion(index, size, hashes[index], path, root));
            }
        }
    }

    [Fact]
    public async Task Every_consistency_proof_served_verifies_and_names_the_checkpoint_it_relates_to()
    {
        var hashes = _world.Leaves.Select(l => MerkleHash.Leaf(l)).ToList();
        for (var second = 2; second <= hashes.Count; second++)
        {
            for (var first = 1; first < second; first++)
            {
                var proof = await GetAsync<ConsistencyProofResponse>($"/api/v1/audit/log/proofs/consistency?first={first}&second={second}");
                Assert.Equal(MerkleTree.ConsistencyProof(hashes, first, second).Select(Convert.ToHexStringLower), proof.Consistency);
                Assert.Null(MerkleVerifier.CheckConsistency(first, second, Convert.FromHexString(proof.FirstRootHash), Convert.FromHexString(proof.SecondRootHash),
                    proof.Consistency.Select(Convert.FromHexString).ToList()));
            }
        }

        var latest = await GetAsync<ConsistencyProofResponse>("/api/v1/audit/log/proofs/consistency?first=2&second=8");
        Assert.NotNull(latest.Checkpoint);
        Assert.Equal(latest.SecondRootHash, latest.Checkpoint!.RootHash);
    }

    [Theory]
    [InlineData("/api/v1/audit/log/proofs/inclusion?index=8&size=8", "index")]
    [InlineData("/api/v1/audit/log/proofs/inclusion?index=0&size=9", "size")]
    [InlineData("/api/v1/audit/log/proofs/inclusion?index=abc", "index")]
    [InlineData("/api/v1/audit/log/proofs/inclusion?index=-1", "index")]
    [InlineData("/api/v1/audit/log/proofs/inclusion?index=1&size=1e3", "size")]
    [InlineData("/api/v1/audit/log/proofs/consistency?first=4&second=4", "first")]
    [InlineData("/api/v1/audit/log/proofs/consistency?first=5&second=3", "first")]
    [InlineData("/api/v1/audit/log/proofs/consistency?first=0&second=3", "first")]
    [InlineData("/api/v1/audit/log/proofs/consistency?first=1&second=99", "second")]
    [InlineData("/api/v1/audit/log/proofs/consistency?first=x&second=3", "first")]
    [InlineData("/api/v1/audit/log/proofs/consistency?first=1", "second")]
    [InlineData("/api/v1/audit/log/leaves?start=9", "start")]
    [InlineData("/api/v1/audit/log/leaves?start=5&end=2", "end")]
    [InlineData("/api/v1/audit/log/checkpoint?size=big", "size")]
    [InlineData("/api/v1/audit/entries/NOT-AN-ID", "id")]
    [InlineData("/api/v1/audit/entries?url=ftp://x.example/", "url")]
    [InlineData("/api/v1/audit/entries?url=http://x.example/&scope=planet", "scope")]
    [InlineData("/api/v1/audit/lists/EU!/manifests", "list")]
    [InlineData("/api/v1/audit/lists/eu/manifests?from=0", "from")]
    [InlineData("/api/v1/audit/export?format=xml", "format")]
    [InlineData("/api/v1/audit/export?from=yesterday", "from")]
    public async Task Bad_parameters_get_a_problem_naming_the_field(string path, string field)
    {
        var response = await _auditor.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), problem.RootElement.ToString());
    }

    [Fact]
    public async Task Only_auditors_may_read_the_audit_routes()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.WithKey(null).GetAsync("/api/v1/audit/log/checkpoint")).StatusCode);
        foreach (var role in new[] { Roles.Hotline, Roles.Isp, Roles.Admin })
        {
            var (client, _) = await _api.ClientForAsync(role, "someone-" + role, "eu");
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/audit/log/checkpoint")).StatusCode);
        }
    }

    [Fact]
    public async Task An_entry_history_lists_every_change_in_log_order_by_id_and_by_url()
    {
        var id = EntryId.ForExpression(AuditLogWorld.A).Hex;
        var byId = await GetAsync<EntryHistoryResponse>($"/api/v1/audit/entries/{id}");
        var kinds = byId.History.Select(h => LogLeaf.FromJson(Encoding.UTF8.GetBytes(h.Leaf)).Value).Select(l => (l.Kind, l.Hotline, l.Version)).ToList();
        Assert.Equal([(LogLeafKind.Add, "h1", 1L), (LogLeafKind.Add, "h2", 2L), (LogLeafKind.Withdraw, "h1", 3L)], kinds);
        Assert.Equal(AuditLogWorld.A, byId.Expression);

        var byUrl = await GetAsync<EntryHistoryResponse>("/api/v1/audit/entries?url=" + Uri.EscapeDataString("http://ABUSE.example/a/./1.html#frag"));
        Assert.Equal(id, byUrl.EntryId);
        Assert.Equal(byId.History.Select(h => h.Index), byUrl.History.Select(h => h.Index));

        var unknown = await GetAsync<EntryHistoryResponse>($"/api/v1/audit/entries/{EntryId.ForExpression("never.example/").Hex}");
        Assert.Empty(unknown.History);
    }

    [Fact]
    public async Task Manifests_are_served_with_their_signatures_page_by_page()
    {
        var eu = await GetAsync<ManifestPageResponse>("/api/v1/audit/lists/eu/manifests");
        Assert.Equal([1L, 2L, 3L, 4L, 5L], eu.Manifests.Select(m => m.Version));
        Assert.Null(eu.Next);
        using var verifier = SignatureVerifier.FromSpki([_world.Signer.PublicKeySpki]);
        Assert.All(eu.Manifests, m => Assert.True(verifier.Verify(Convert.FromBase64String(m.Manifest), Convert.FromBase64String(m.Signature))));
        var fromFour = await GetAsync<ManifestPageResponse>("/api/v1/audit/lists/eu/manifests?from=4");
        Assert.Equal([4L, 5L], fromFour.Manifests.Select(m => m.Version));
        var lists = await GetAsync<AuditListsResponse>("/api/v1/audit/lists");
        Assert.Equal(["eu", "uk"], lists.Lists);
    }

    [Fact]
    public async Task Exports_select_a_time_range_as_csv_or_json_lines()
    {
        // versions are published 5 minutes apart from 12:00; 12:05..12:15 covers eu v2 and uk v1 (3 leaves)
        var csv = await _auditor.GetStringAsync("/api/v1/audit/export?format=csv&from=2026-11-22T12:05:00Z&to=2026-11-22T12:15:00Z");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(',', AuditExport.CsvColumns), lines[0]);
        Assert.Equal(3, lines.Length - 1);
        Assert.StartsWith("2,", lines[1]);
        Assert.Contains(",uk,1,add,", lines[3]);
        Assert.Contains(",other.example/c.jpg,", lines[1]);

        var jsonl = await _auditor.GetStringAsync("/api/v1/audit/export?format=jsonl");
        var objects = jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l)).ToList();
        Assert.Equal(8, objects.Count);
        Assert.Equal("expire", objects[7].RootElement.GetProperty("leaf").GetProperty("kind").GetString());
        Assert.Equal(Convert.ToHexStringLower(MerkleHash.Leaf(_world.Leaves[7])), objects[7].RootElement.GetProperty("leafHash").GetString());
    }

    [Fact]
    public void Csv_fields_that_could_run_as_formulas_or_break_rows_are_quoted()
    {
        Assert.Equal("'=cmd()", AuditExport.Quote("=cmd()"));
        Assert.Equal("\"a,b\"", AuditExport.Quote("a,b"));
        Assert.Equal("\"say \"\"hi\"\"\"", AuditExport.Quote("say \"hi\""));
        Assert.Equal("plain", AuditExport.Quote("plain"));
    }

    [Theory]
    [InlineData("\t=cmd()", "'\t=cmd()")]
    [InlineData("\tplain", "'\tplain")]
    [InlineData("\r=cmd()", "\"'\r=cmd()\"")]
    [InlineData("\n@SUM(A1)", "\"'\n@SUM(A1)\"")]
    [InlineData("-1+1", "'-1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("ab\0cd", "ab\uFFFDcd")]
    [InlineData("\0=cmd()", "\uFFFD=cmd()")]
    [InlineData("a\tb", "a\tb")]
    public void Csv_fields_starting_with_tab_cr_or_lf_are_neutralised_and_nul_is_never_written(string value, string written)
    {
        var quoted = AuditExport.Quote(value);

        Assert.Equal(written, quoted);
        Assert.DoesNotContain('\0', quoted);
    }
}
