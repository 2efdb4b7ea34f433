using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Decisions;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Decisions;

public sealed class DecisionLogTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly DecisionActor Admin = new("0123456789abcdef", "operator", "admin");

    [Theory]
    [MemberData(nameof(PublishWorld.Backends), MemberType = typeof(PublishWorld))]
    public async Task A_decision_is_a_leaf_between_published_versions_and_a_retry_logs_it_once(string backend)
    {
        using var world = await PublishWorld.CreateAsync(backend, storage);
        await world.CreateListAsync("eu");
        var runner = world.Runner();
        var decisions = new DecisionLog(world.Blobs, runner, new PublishStorageNames(), world.Time);
        await world.SubmitAsync("h1", ("add", "a.example/1", "eu", 30));
        await runner.RunOnceAsync(default);

        var entry = EntryId.ForExpression("a.example/1");
        var subject = new DecisionSubject { List = ListName.Parse("eu"), Version = 1, Entries = [entry] };
        var logged = await decisions.AppendAsync("review-approve-s1-0", DecisionKind.ReviewApprove, Admin, "two analysts confirmed", subject, default);
        world.Time.Advance(TimeSpan.FromMinutes(1));
        var retried = await decisions.AppendAsync("review-approve-s1-0", DecisionKind.ReviewApprove, Admin, "a second click", subject, default);

        Assert.Equal(1, logged.Index);
        Assert.Equal((logged.Id, logged.Index), (retried.Id, retried.Index));
        Assert.Equal(logged.Leaf.ToJson(), retried.Leaf.ToJson());
        Assert.Equal("two analysts confirmed", retried.Leaf.Reason);
        await world.SubmitAsync("h1", ("add", "b.example/2", "eu", 30));
        await runner.RunOnceAsync(default);

        var head = await runner.Log.GetHeadAsync(default);
        Assert.Equal(3, head.Size);
        var leaves = await runner.Log.GetLeavesAsync(0, 3, default);
        var parsed = leaves.Select(l => TransparencyLeaf.Parse(l).Value).ToList();
        Assert.Equal([false, true, false], parsed.Select(p => p.Decision is not null));
        var decision = parsed[1].Decision!;
        Assert.Equal((DecisionKind.ReviewApprove, Admin, "two analysts confirmed"), (decision.Kind, decision.Actor, decision.Reason));
        Assert.Equal(Convert.ToHexStringLower(MerkleTree.Root(leaves.Select(l => MerkleHash.Leaf(l)).ToList())), head.Root);

        // the entry's history index names the change and the decision
        var history = new List<long>();
        await foreach (var row in world.Rows.QueryAsync("loghistory", LogLayout.HistoryPartition(entry.Hex), LogLayout.HistoryRange(entry.Hex).From, LogLayout.HistoryRange(entry.Hex).To, default))
        {
            history.AddRange(LogLayout.ParseIndexes(row.GetString("Indexes")));
        }

        Assert.Equal([0L, 1L], history.Order());
    }

    [Theory]
    [MemberData(nameof(PublishWorld.Backends), MemberType = typeof(PublishWorld))]
    public async Task A_decision_stopped_before_its_head_commit_is_completed_by_the_next_publish(string backend)
    {
        using var world = await PublishWorld.CreateAsync(backend, storage);
        await world.CreateListAsync("eu");
        var runner = world.Runner();
        var stopped = new DecisionLog(world.Blobs, new PublishRunner(new StopAtHeadCommit(world.Rows), world.Blobs, world.Signer,
            Microsoft.Extensions.Options.Options.Create(world.Options), world.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger<PublishRunner>.Instance), new PublishStorageNames(), world.Time);
        await Assert.ThrowsAsync<IOException>(() => stopped.AppendAsync("key-revoke-0123456789abcdef", DecisionKind.KeyRevoke, Admin, "key leaked in a ticket",
            new DecisionSubject { Key = "0123456789abcdef" }, default));

        await world.SubmitAsync("h1", ("add", "a.example/1", "eu", 30));
        Assert.Equal(ListPublishOutcome.Published, Assert.Single(await runner.RunOnceAsync(default)).Outcome);

        var leaves = await runner.Log.GetLeavesAsync(0, 10, default);
        Assert.Equal(2, leaves.Count);
        Assert.Equal(DecisionKind.KeyRevoke, TransparencyLeaf.Parse(leaves[0]).Value.Decision!.Kind);
        Assert.Equal(LogLeafKind.Add, TransparencyLeaf.Parse(leaves[1]).Value.Change!.Kind);
        var again = await new DecisionLog(world.Blobs, runner, new PublishStorageNames(), world.Time).AppendAsync(
            "key-revoke-0123456789abcdef", DecisionKind.KeyRevoke, Admin, "key leaked in a ticket", new DecisionSubject { Key = "0123456789abcdef" }, default);
        Assert.Equal(0, again.Index);
        Assert.Equal(2, (await runner.Log.GetHeadAsync(default)).Size);
    }

    [Fact]
    public async Task A_decision_id_outside_the_id_alphabet_is_refused()
    {
        using var world = await PublishWorld.CreateAsync("memory", storage);
        var decisions = new DecisionLog(world.Blobs, world.Runner(), new PublishStorageNames(), world.Time);
        await Assert.ThrowsAsync<ArgumentException>(() => decisions.AppendAsync("../x", DecisionKind.Publish, Admin, "why", new DecisionSubject(), default));
        await Assert.ThrowsAsync<ArgumentException>(() => decisions.AppendAsync("publish-1", DecisionKind.Publish, Admin, " ", new DecisionSubject(), default));
    }

    /// <summary>Every write goes through except the head update that commits a batch.</summary>
    private sealed class StopAtHeadCommit(IRowStore inner) : IRowStore
    {
        public Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
            inner.GetAsync(table, partitionKey, rowKey, cancellationToken);

        public IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, CancellationToken cancellationToken) =>
            inner.QueryAsync(table, partitionKey, fromRowKey, toRowKey, cancellationToken);

        public IAsyncEnumerable<Row> QueryAllAsync(string table, CancellationToken cancellationToken) => inner.QueryAllAsync(table, cancellationToken);

        public Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken) =>
            IsCommit(table, row) ? throw new IOException("stopped") : inner.AddAsync(table, row, cancellationToken);

        public Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken) =>
            IsCommit(table, row)
                ? throw new IOException("stopped before the head commit")
                : inner.UpdateAsync(table, row, ifMatch, cancellationToken);

        // a log head write that names no pending batch is a commit
        private static bool IsCommit(string table, Row row) => table == "loghead" && LogLayout.FromHeadRow(row).Pending is null;

        public Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken) => inner.UpsertAsync(table, rows, cancellationToken);

        public Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken) =>
            inner.DeleteAsync(table, keys, cancellationToken);

        public Task SubmitAsync(string table, IReadOnlyList<RowAction> actions, CancellationToken cancellationToken) =>
            inner.SubmitAsync(table, actions, cancellationToken);
    }
}
