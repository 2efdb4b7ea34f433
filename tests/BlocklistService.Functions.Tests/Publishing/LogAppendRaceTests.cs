using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Tests.Audit;
using BlocklistService.Functions.Tests.Support;

namespace BlocklistService.Functions.Tests.Publishing;

/// <summary>
/// Two publishers executing the same plan append its leaves once, whatever the interleaving: here the second one
/// finishes the whole batch between the first one's look for the batch and its read of the log head. The first one
/// must then neither append the leaves again nor leave them announced for the next append to complete (the
/// interleaving that once logged a change twice under concurrent publishers).
/// </summary>
public sealed class LogAppendRaceTests
{
    [Fact]
    public async Task A_batch_another_publisher_completes_meanwhile_is_not_appended_again()
    {
        var rows = new MemoryRowStore();
        var blobs = new MemoryBlobStore();
        using var signer = PemArtifactSigner.Generate();
        var names = new PublishStorageNames();
        var leaves = new[] { "a.example/", "b.example/" }
            .Select(e => (AuditLogWorld.Change(LogLeafKind.Add, "eu", e, "h1") with { PublishedAt = DateTimeOffset.UnixEpoch.AddDays(1) }).ToJson())
            .ToList();
        var source = new FixedLeaves(leaves);
        var other = new TransparencyLogStore(rows, new SignedFiles(blobs, signer), source, names);
        var interleaved = new InterleavingRows(rows, names.LogHead, () => other.AppendBatchAsync("eu", 1, "plan-1", leaves, DateTimeOffset.UnixEpoch, default));
        var first = new TransparencyLogStore(interleaved, new SignedFiles(blobs, signer), source, names);

        var batch = await first.AppendBatchAsync("eu", 1, "plan-1", leaves, DateTimeOffset.UnixEpoch, default);

        Assert.True(interleaved.Ran);
        Assert.Equal((0L, 2L, 2L), (batch.Start, batch.Count, batch.Size));
        Assert.Equal(2, (await first.GetHeadAsync(default)).Size);
        Assert.Equal(batch, await other.GetBatchAsync("eu", 1, default));

        // nothing of it is left announced for the next append to complete a second time
        var next = (AuditLogWorld.Change(LogLeafKind.Add, "uk", "c.example/", "h1") with { PublishedAt = DateTimeOffset.UnixEpoch.AddDays(1) }).ToJson();
        var after = await other.AppendBatchAsync("uk", 1, "plan-2", [next], DateTimeOffset.UnixEpoch, default);
        Assert.Equal((2L, 1L, 3L), (after.Start, after.Count, after.Size));
        Assert.Equal(3, (await other.GetHeadAsync(default)).Size);
    }

    private sealed class FixedLeaves(IReadOnlyList<byte[]> leaves) : ILogBatchSource
    {
        public Task<IReadOnlyList<byte[]>> LeavesAsync(string list, long version, string planName, CancellationToken cancellationToken) => Task.FromResult(leaves);
    }

    /// <summary>Runs <paramref name="meanwhile"/> to completion just before the first read of <paramref name="table"/>.</summary>
    private sealed class InterleavingRows(IRowStore inner, string table, Func<Task> meanwhile) : DelegatingRowStore(inner)
    {
        public bool Ran { get; private set; }

        public override async Task<Row?> GetAsync(string table1, string partitionKey, string rowKey, CancellationToken cancellationToken)
        {
            if (table1 == table && !Ran)
            {
                Ran = true;
                await meanwhile();
            }

            return await Inner.GetAsync(table1, partitionKey, rowKey, cancellationToken);
        }
    }
}
