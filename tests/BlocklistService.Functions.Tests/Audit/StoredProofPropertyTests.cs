using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Audit;
using BlocklistService.Functions.Stores;
using BlocklistService.Testing;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Tests.Audit;

/// <summary>
/// On a larger log appended in random batch sizes by the real log store, proofs served from stored subtree hashes
/// equal the proofs computed from all leaves, verify, and cost at most 2·log2(n) storage reads.
/// </summary>
public sealed class StoredProofPropertyTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Store_served_proofs_equal_naive_proofs_and_verify_on_a_random_tree()
    {
        var prefix = Azurite.UniqueName("p")[..13];
        using var world = new AuditLogWorld(storage.ConnectionString, prefix);
        await world.CreateAsync();
        var random = new Random(6962);
        var total = 1337;
        var version = 0L;
        var leaves = new List<byte[]>();
        while (leaves.Count < total)
        {
            var count = Math.Min(total - leaves.Count, random.Next(1, 200));
            version++;
            var batch = Enumerable.Range(leaves.Count, count)
                .Select(i => (AuditLogWorld.Change(LogLeafKind.Add, "eu", $"p{i}.example/", "h1") with { Version = version }).ToJson())
                .ToList();
            await world.Log.AppendBatchAsync("eu", version, $"plan-{version}", batch, world.Now, default);
            leaves.AddRange(batch);
        }

        var reader = new TransparencyLogReader(new AuditStorage(world.Storage.Rows, world.Storage.Blobs));
        var hashes = leaves.Select(l => MerkleHash.Leaf(l)).ToList();
        var (size, root) = await reader.GetHeadAsync(default);
        Assert.Equal(total, size);
        Assert.Equal(MerkleTree.Root(hashes), root);

        for (var trial = 0; trial < 60; trial++)
        {
            var treeSize = random.Next(1, total + 1);
            var index = random.Next(0, treeSize);
            var treeRoot = MerkleTree.Root(hashes.Take(treeSize).ToList());
            Assert.Equal(treeRoot, await reader.RootAtAsync(treeSize, default));
            var inclusion = await reader.InclusionProofAsync(index, treeSize, default);
            Assert.Equal(MerkleTree.InclusionProof(hashes, index, treeSize), inclusion.Hashes);
            Assert.Null(MerkleVerifier.CheckInclusion(index, treeSize, hashes[index], inclusion.Hashes, treeRoot));
            Assert.True(inclusion.StorageReads <= 2 * Math.Max(1, Math.Ceiling(Math.Log2(treeSize))), $"{inclusion.StorageReads} reads for size {treeSize}");

            var first = random.Next(1, treeSize + 1);
            if (first == treeSize)
            {
                continue;
            }

            var consistency = await reader.ConsistencyProofAsync(first, treeSize, default);
            Assert.Equal(MerkleTree.ConsistencyProof(hashes, first, treeSize), consistency.Hashes);
            Assert.Null(MerkleVerifier.CheckConsistency(first, treeSize, MerkleTree.Root(hashes.Take(first).ToList()), treeRoot, consistency.Hashes));
            Assert.True(consistency.StorageReads <= 2 * Math.Ceiling(Math.Log2(treeSize)), $"{consistency.StorageReads} reads for {first}->{treeSize}");
        }

        var history = await reader.HistoryIndexesAsync(Domain.Entries.EntryId.ForExpression("p700.example/"), default);
        Assert.Equal([700L], history);
    }
}
