using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Audit;
using BlocklistService.Functions.Publishing;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Audit;

/// <summary>
/// The <c>loghistory</c> index on Azurite, read through <see cref="TransparencyLogReader"/>: an entry's history is
/// complete across batches and lists, in log order, also when one batch holds more of its leaves than one history
/// row does, and leaves of a batch that has not committed yet are not history until it does.
/// </summary>
public sealed class LogHistoryTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private const string Tracked = "tracked.example/x";

    [Fact]
    public async Task An_entry_history_spans_batches_and_lists_in_log_order()
    {
        using var world = new AuditLogWorld(storage.ConnectionString, Azurite.UniqueName("h")[..13]);
        await world.CreateAsync();
        var expected = new List<long>();
        var size = 0L;
        for (var version = 1; version <= 6; version++)
        {
            var list = version % 2 == 0 ? "uk" : "eu";
            var leaves = new List<byte[]>();
            for (var i = 0; i < 40 + version * 7; i++)
            {
                var tracked = (version is 1 or 3 or 6 && i is 0 or 5) || (version == 3 && i == 33);
                if (tracked)
                {
                    expected.Add(size + i);
                }

                var expression = tracked ? Tracked : $"other{version}-{i}.example/";
                leaves.Add((AuditLogWorld.Change(LogLeafKind.Add, list, expression, "h1", $"r{version}-{i}") with { Version = version, PublishedAt = world.Now }).ToJson());
            }

            var batch = await world.Log.AppendBatchAsync(list, version, $"plan-{version}", leaves, world.Now, default);
            size = batch.Size;
        }

        var reader = new TransparencyLogReader(new AuditStorage(world.Storage.Rows, world.Storage.Blobs));
        Assert.Equal(expected, await reader.HistoryIndexesAsync(EntryId.ForExpression(Tracked), default));
        var history = await reader.HistoryAsync(EntryId.ForExpression(Tracked), default);
        Assert.Equal(expected, history.Select(h => h.Index));
        Assert.All(history, h => Assert.Equal(EntryId.ForExpression(Tracked), LogLeaf.FromJson(h.Bytes).Value!.EntryId));
        Assert.Empty(await reader.HistoryIndexesAsync(EntryId.ForExpression("never.example/"), default));
    }

    [Fact]
    public async Task More_leaves_of_one_entry_in_a_batch_than_a_history_row_holds_all_come_back()
    {
        using var world = new AuditLogWorld(storage.ConnectionString, Azurite.UniqueName("h")[..13]);
        await world.CreateAsync();
        var count = LogLayout.IndexesPerHistoryRow + 234;
        var leaves = Enumerable.Range(0, count)
            .Select(i => (AuditLogWorld.Change(i % 2 == 0 ? LogLeafKind.Add : LogLeafKind.Withdraw, "eu", Tracked, $"h{i}", $"r{i}") with { PublishedAt = world.Now }).ToJson())
            .ToList();
        await world.Log.AppendBatchAsync("eu", 1, "plan-1", leaves, world.Now, default);

        var reader = new TransparencyLogReader(new AuditStorage(world.Storage.Rows, world.Storage.Blobs));
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), await reader.HistoryIndexesAsync(EntryId.ForExpression(Tracked), default));
        var rows = new List<Row>();
        await foreach (var row in world.Storage.Rows.QueryAsync("loghistory", LogLayout.HistoryPartition(EntryId.ForExpression(Tracked).Hex), null, null, default))
        {
            rows.Add(row);
        }

        Assert.Equal(2, rows.Count);
    }

    [Fact]
    public async Task Leaves_of_a_batch_stopped_before_its_commit_join_the_history_only_once_it_is_completed()
    {
        using var world = new AuditLogWorld(storage.ConnectionString, Azurite.UniqueName("h")[..13]);
        await world.CreateAsync();
        var first = (AuditLogWorld.Change(LogLeafKind.Add, "eu", Tracked, "h1") with { PublishedAt = world.Now }).ToJson();
        var second = (AuditLogWorld.Change(LogLeafKind.Remove, "eu", Tracked, "h1", "r2") with { Version = 2, PublishedAt = world.Now }).ToJson();
        var plans = new Dictionary<string, IReadOnlyList<byte[]>> { ["plan-1"] = [first], ["plan-2"] = [second] };
        var source = new PlanLeaves(plans);
        var log = new TransparencyLogStore(world.Storage.Rows, world.Files, source, new PublishStorageNames());
        await log.AppendBatchAsync("eu", 1, "plan-1", [first], world.Now, default);

        var stopping = new TransparencyLogStore(new NoHeadCommit(world.Storage.Rows), world.Files, source, new PublishStorageNames());
        await Assert.ThrowsAsync<IOException>(() => stopping.AppendBatchAsync("eu", 2, "plan-2", [second], world.Now, default));

        var reader = new TransparencyLogReader(new AuditStorage(world.Storage.Rows, world.Storage.Blobs));
        Assert.Equal([0L], await reader.HistoryIndexesAsync(EntryId.ForExpression(Tracked), default));

        await log.AppendBatchAsync("eu", 2, "plan-2", [second], world.Now, default);
        Assert.Equal([0L, 1L], await reader.HistoryIndexesAsync(EntryId.ForExpression(Tracked), default));
    }

    private sealed class PlanLeaves(Dictionary<string, IReadOnlyList<byte[]>> plans) : ILogBatchSource
    {
        public Task<IReadOnlyList<byte[]>> LeavesAsync(string list, long version, string planName, CancellationToken cancellationToken) =>
            Task.FromResult(plans[planName]);
    }

    /// <summary>Every write goes through except the head update that commits a batch (it clears the pending plan).</summary>
    private sealed class NoHeadCommit(IRowStore inner) : IRowStore
    {
        public Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
            inner.GetAsync(table, partitionKey, rowKey, cancellationToken);

        public IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, CancellationToken cancellationToken) =>
            inner.QueryAsync(table, partitionKey, fromRowKey, toRowKey, cancellationToken);

        public IAsyncEnumerable<Row> QueryAllAsync(string table, CancellationToken cancellationToken) => inner.QueryAllAsync(table, cancellationToken);

        public Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken) => inner.AddAsync(table, row, cancellationToken);

        public Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken) =>
            table == "loghead" && LogLayout.FromHeadRow(row).Pending is null // a head naming no pending batch: the commit
                ? throw new IOException("stopped before the head commit")
                : inner.UpdateAsync(table, row, ifMatch, cancellationToken);

        public Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken) => inner.UpsertAsync(table, rows, cancellationToken);

        public Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken) =>
            inner.DeleteAsync(table, keys, cancellationToken);

        public Task SubmitAsync(string table, IReadOnlyList<RowAction> actions, CancellationToken cancellationToken) =>
            inner.SubmitAsync(table, actions, cancellationToken);
    }
}
