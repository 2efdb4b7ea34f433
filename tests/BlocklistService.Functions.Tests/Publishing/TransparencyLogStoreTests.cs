using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Tests.Audit;
using BlocklistService.Functions.Tests.Support;

namespace BlocklistService.Functions.Tests.Publishing;

/// <summary>
/// The tiled log store under failure: a publisher stopped before or after any single write of an append (leaf rows,
/// history rows, a tile, the checkpoint, the batch row, the head) resumes to exactly the log an uninterrupted run
/// gives; a slow publisher finishing an old batch never shrinks a tile a later batch widened; concurrent appenders
/// never lose, duplicate or reorder a leaf.
/// </summary>
public sealed class TransparencyLogStoreTests
{
    private static readonly PublishStorageNames Names = new();

    // 250 leaves before (a partial tile at level 0), then 300 (completes tile 0, fills tile 1, starts tile 2 and level 1)
    private static readonly IReadOnlyList<byte[]> Before = Leaves("eu", 1, 0, 250);
    private static readonly IReadOnlyList<byte[]> Batch = Leaves("eu", 2, 250, 300);
    private static readonly IReadOnlyList<byte[]> Next = Leaves("uk", 1, 550, 7);

    public static TheoryData<int, bool> WritePoints()
    {
        var data = new TheoryData<int, bool>();
        for (var write = 1; write <= CountWrites(); write++)
        {
            data.Add(write, false);
            data.Add(write, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WritePoints))]
    public async Task A_crash_before_or_after_any_write_of_an_append_resumes_to_the_uninterrupted_log(int failAt, bool afterWriting)
    {
        var rows = new MemoryRowStore();
        var blobs = new MemoryBlobStore();
        using var signer = PemArtifactSigner.Generate();
        var plans = new Plans { ["plan-eu-1"] = Before, ["plan-eu-2"] = Batch, ["plan-uk-1"] = Next };
        var log = new TransparencyLogStore(rows, new SignedFiles(blobs, signer), plans, Names);
        await log.AppendBatchAsync("eu", 1, "plan-eu-1", Before, At, default);

        var faulty = new FaultyRows(rows) { FailAt = failAt, AfterWriting = afterWriting };
        var crashing = new TransparencyLogStore(faulty, new SignedFiles(blobs, signer), plans, Names);
        await Assert.ThrowsAsync<IOException>(() => crashing.AppendBatchAsync("eu", 2, "plan-eu-2", Batch, At, default));

        // Another list's publisher comes next: once the batch was announced (the first write), it completes it from its
        // plan first and then appends its own; before that, the batch is not in the log and goes after it.
        var head = LogLayout.FromHeadRow((await rows.GetAsync(Names.LogHead, LogLayout.HeadPartition, LogLayout.HeadRow, default))!);
        var announced = head.Pending?.Plan == "plan-eu-2" || head.Size == 550;
        Assert.Equal(failAt > 1 || afterWriting, announced);
        var after = await log.AppendBatchAsync("uk", 1, "plan-uk-1", Next, At, default);
        var resumed = await log.AppendBatchAsync("eu", 2, "plan-eu-2", Batch, At, default);

        if (announced)
        {
            Assert.Equal((250L, 300L, 550L), (resumed.Start, resumed.Count, resumed.Size));
            Assert.Equal((550L, 7L, 557L), (after.Start, after.Count, after.Size));
            await AssertLogAsync(log, rows, Before.Concat(Batch).Concat(Next).ToList());
        }
        else
        {
            Assert.Equal((250L, 7L, 257L), (after.Start, after.Count, after.Size));
            Assert.Equal((257L, 300L, 557L), (resumed.Start, resumed.Count, resumed.Size));
            await AssertLogAsync(log, rows, Before.Concat(Next).Concat(Batch).ToList());
        }
    }

    [Fact]
    public async Task A_slow_publisher_finishing_an_old_batch_never_shrinks_a_tile_a_later_batch_widened()
    {
        var rows = new MemoryRowStore();
        var blobs = new MemoryBlobStore();
        using var signer = PemArtifactSigner.Generate();
        var plans = new Plans { ["plan-eu-1"] = Before, ["plan-eu-2"] = Batch, ["plan-uk-1"] = Next };
        var fast = new TransparencyLogStore(rows, new SignedFiles(blobs, signer), plans, Names);
        await fast.AppendBatchAsync("eu", 1, "plan-eu-1", Before, At, default);

        // the slow one has read the edge tiles and is about to write its first tile when the fast one completes the
        // same batch and appends the next one, widening the partial tiles past what the slow one computed
        var slowRows = new FaultyRows(rows)
        {
            BeforeTileWrite = async () =>
            {
                await fast.AppendBatchAsync("eu", 2, "plan-eu-2", Batch, At, default);
                await fast.AppendBatchAsync("uk", 1, "plan-uk-1", Next, At, default);
            },
        };
        var slow = new TransparencyLogStore(slowRows, new SignedFiles(blobs, signer), plans, Names);
        var batch = await slow.AppendBatchAsync("eu", 2, "plan-eu-2", Batch, At, default);

        Assert.True(slowRows.Interleaved);
        Assert.Equal((250L, 550L), (batch.Start, batch.Size));
        var all = Before.Concat(Batch).Concat(Next).ToList();
        await AssertLogAsync(fast, rows, all);
        Assert.Equal(557 - 512, (await fast.GetTileAsync(new TileCoordinate(0, 2), default))!.Length / MerkleHash.Length);

        // and the log goes on from there
        var more = Leaves("eu", 3, 557, 20);
        plans["plan-eu-3"] = more;
        await fast.AppendBatchAsync("eu", 3, "plan-eu-3", more, At, default);
        await AssertLogAsync(fast, rows, all.Concat(more).ToList());
    }

    [Fact]
    public async Task A_tile_that_disagrees_with_the_leaves_stops_the_append_instead_of_being_overwritten()
    {
        var rows = new MemoryRowStore();
        using var signer = PemArtifactSigner.Generate();
        var plans = new Plans { ["plan-eu-1"] = Before, ["plan-eu-2"] = Batch };
        var log = new TransparencyLogStore(rows, new SignedFiles(new MemoryBlobStore(), signer), plans, Names);
        await log.AppendBatchAsync("eu", 1, "plan-eu-1", Before, At, default);
        var tile = await rows.GetAsync(Names.LogTiles, LogLayout.TilePartition(new TileCoordinate(0, 0)), LogLayout.Key(0), default);
        var forged = tile!.GetBinary("Hashes")!.ToArray();
        forged[0] ^= 1;
        await rows.UpsertAsync(Names.LogTiles, [tile with { Properties = new Dictionary<string, object?> { ["Hashes"] = forged } }], default);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => log.AppendBatchAsync("eu", 2, "plan-eu-2", Batch, At, default));
        Assert.Contains("tile(0,0)", error.Message);
        Assert.Contains("not the committed", error.Message);
        Assert.Equal(250, (await log.GetHeadAsync(default)).Size);
    }

    [Fact]
    public async Task Concurrent_appenders_of_many_lists_give_one_log_with_every_batch_once_and_whole()
    {
        var rows = new MemoryRowStore();
        var blobs = new MemoryBlobStore();
        using var signer = PemArtifactSigner.Generate();
        var plans = new Plans();
        var random = new Random(9162);
        var batches = new List<(string List, long Version, IReadOnlyList<byte[]> Leaves)>();
        foreach (var list in new[] { "a", "b", "c", "d" })
        {
            for (var version = 1; version <= 6; version++)
            {
                var leaves = Leaves(list, version, batches.Count * 1000, random.Next(0, 300));
                plans[$"plan-{list}-{version}"] = leaves;
                batches.Add((list, version, leaves));
            }
        }

        // each list's versions in order, the lists interleaved, two publishers per list racing on every version
        await Task.WhenAll(batches.GroupBy(b => b.List).Select(group => Task.Run(async () =>
        {
            foreach (var (list, version, leaves) in group)
            {
                var appends = Enumerable.Range(0, 2).Select(_ => new TransparencyLogStore(rows, new SignedFiles(blobs, signer), plans, Names)
                    .AppendBatchAsync(list, version, $"plan-{list}-{version}", leaves, At, default));
                var results = await Task.WhenAll(appends);
                Assert.Equal(results[0], results[1]);
            }
        })));

        var log = new TransparencyLogStore(rows, new SignedFiles(blobs, signer), plans, Names);
        var placed = new List<(long Start, IReadOnlyList<byte[]> Leaves)>();
        foreach (var (list, version, leaves) in batches)
        {
            var batch = (await log.GetBatchAsync(list, version, default))!;
            Assert.Equal(leaves.Count, batch.Count);
            placed.Add((batch.Start, leaves));
        }

        var all = placed.OrderBy(p => p.Start).ThenBy(p => p.Leaves.Count).SelectMany(p => p.Leaves).ToList();
        Assert.Equal(batches.Sum(b => b.Leaves.Count), all.Count);
        await AssertLogAsync(log, rows, all);
    }

    [Fact]
    public async Task An_append_of_k_distinct_entries_costs_about_k_over_100_writes_not_one_per_entry()
    {
        var rows = new MemoryRowStore();
        using var signer = PemArtifactSigner.Generate();
        var first = Enumerable.Range(0, 1000).Select(i => Leaf("eu", 1, $"first{i}.example/")).ToList();
        var version = Enumerable.Range(0, 2000).Select(i => Leaf("eu", 2, $"distinct{i}.example/")).ToList();
        var plans = new Plans { ["plan-eu-1"] = first, ["plan-eu-2"] = version };
        await new TransparencyLogStore(rows, new SignedFiles(new MemoryBlobStore(), signer), plans, Names).AppendBatchAsync("eu", 1, "plan-eu-1", first, At, default);
        var counting = new FaultyRows(rows);
        await new TransparencyLogStore(counting, new SignedFiles(new MemoryBlobStore(), signer), plans, Names).AppendBatchAsync("eu", 2, "plan-eu-2", version, At, default);

        // leaves 1000 … 2999 over 3 partitions: 1 + 11 + 10 transactions; history: 16 partitions of ~125 rows, 2 each;
        // tiles: 7 created full in one transaction, 3 growing (tile 0/3 completed, 0/11 new, 1/0); head announce and
        // commit, batch row: 3. One request per distinct entry would be 2,000 writes.
        Assert.InRange(counting.Writes, 40, 22 + 32 + 4 + 3);
        await AssertLogAsync(new TransparencyLogStore(rows, new SignedFiles(new MemoryBlobStore(), signer), plans, Names), rows, first.Concat(version).ToList());
    }

    private static byte[] Leaf(string list, long version, string expression) =>
        (AuditLogWorld.Change(LogLeafKind.Add, list, expression, "h1") with { Version = version, PublishedAt = At }).ToJson();

    private static readonly DateTimeOffset At = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Leaves, head, root from tiles, every tile's width and the history index all match the expected log exactly.</summary>
    private static async Task AssertLogAsync(TransparencyLogStore log, IRowStore rows, IReadOnlyList<byte[]> expected)
    {
        var hashes = expected.Select(l => MerkleHash.Leaf(l)).ToList();
        var head = await log.GetHeadAsync(default);
        Assert.Equal(expected.Count, head.Size);
        Assert.Equal(Convert.ToHexStringLower(MerkleTree.Root(hashes)), head.Root);
        Assert.Equal(MerkleTree.Root(hashes), await log.RootAtAsync(expected.Count, default));
        var stored = await log.GetLeavesAsync(0, expected.Count + 10, default);
        Assert.Equal(expected.Select(Convert.ToHexStringLower), stored.Select(Convert.ToHexStringLower));

        var tiles = new Dictionary<TileCoordinate, byte[]>();
        await foreach (var row in rows.QueryAllAsync(Names.LogTiles, default))
        {
            var level = int.Parse(row.PartitionKey.Split('-')[1]);
            tiles[new TileCoordinate(level, long.Parse(row.RowKey))] = row.GetBinary("Hashes")!;
        }

        foreach (var (tile, bytes) in tiles)
        {
            var width = LogTiles.WidthAt(tile, expected.Count);
            Assert.True(bytes.Length == width * MerkleHash.Length, $"{tile} holds {bytes.Length / MerkleHash.Length} hashes, the log needs {width}");
        }

        for (var size = 1; size <= expected.Count; size += 37)
        {
            Assert.Equal(MerkleTree.Root(hashes.Take(size).ToList()), LogTiles.Root(size, t => tiles[t]));
        }

        var history = new Dictionary<string, List<long>>();
        await foreach (var row in rows.QueryAllAsync(Names.LogHistory, default))
        {
            var id = row.RowKey[..64];
            Assert.Equal(LogLayout.HistoryPartition(id), row.PartitionKey);
            history.TryAdd(id, []);
            history[id].AddRange(LogLayout.ParseIndexes(row.GetString("Indexes")));
        }

        var expectedHistory = expected.Select((leaf, i) => (id: LogLeaf.FromJson(leaf).Value!.EntryId.Hex, index: (long)i))
            .GroupBy(x => x.id).ToDictionary(g => g.Key, g => g.Select(x => x.index).ToList());
        Assert.Equal(expectedHistory.Keys.Order(), history.Keys.Order());
        Assert.All(expectedHistory, e => Assert.Equal(e.Value, history[e.Key].Order()));
    }

    private static List<byte[]> Leaves(string list, long version, long first, int count) =>
        Enumerable.Range(0, count)
            .Select(i => (AuditLogWorld.Change(LogLeafKind.Add, list, $"e{(first + i) % 97}.example/{list}", "h1", $"r{first + i}")
                with { Version = version, PublishedAt = At }).ToJson())
            .ToList();

    /// <summary>How many writes an uninterrupted append of <see cref="Batch"/> after <see cref="Before"/> makes.</summary>
    private static int CountWrites()
    {
        var rows = new MemoryRowStore();
        using var signer = PemArtifactSigner.Generate();
        var plans = new Plans { ["plan-eu-1"] = Before, ["plan-eu-2"] = Batch };
        var blobs = new MemoryBlobStore();
        new TransparencyLogStore(rows, new SignedFiles(blobs, signer), plans, Names).AppendBatchAsync("eu", 1, "plan-eu-1", Before, At, default).GetAwaiter().GetResult();
        var counting = new FaultyRows(rows);
        new TransparencyLogStore(counting, new SignedFiles(blobs, signer), plans, Names).AppendBatchAsync("eu", 2, "plan-eu-2", Batch, At, default).GetAwaiter().GetResult();
        return counting.Writes;
    }

    private sealed class Plans : Dictionary<string, IReadOnlyList<byte[]>>, ILogBatchSource
    {
        public Task<IReadOnlyList<byte[]>> LeavesAsync(string list, long version, string planName, CancellationToken cancellationToken) =>
            Task.FromResult(this[planName]);
    }

    /// <summary>
    /// Counts writes; the <see cref="FailAt"/>-th one throws, before it reaches the store or (with
    /// <see cref="AfterWriting"/>) after it did, as when the answer is lost. <see cref="BeforeTileWrite"/> runs once,
    /// just before the first tile write.
    /// </summary>
    private sealed class FaultyRows(IRowStore inner) : DelegatingRowStore(inner)
    {
        private int _writes;
        private int _interleaved;

        public int FailAt { get; init; }

        public bool AfterWriting { get; init; }

        public Func<Task>? BeforeTileWrite { get; init; }

        public int Writes => _writes;

        public bool Interleaved => _interleaved == 1;

        public override Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken) =>
            WriteAsync(table, () => Inner.AddAsync(table, row, cancellationToken));

        public override Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken) =>
            WriteAsync(table, () => Inner.UpdateAsync(table, row, ifMatch, cancellationToken));

        public override Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken) =>
            WriteAsync(table, async () =>
            {
                await Inner.UpsertAsync(table, rows, cancellationToken);
                return string.Empty;
            });

        public override Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken) =>
            WriteAsync(table, async () =>
            {
                await Inner.DeleteAsync(table, keys, cancellationToken);
                return string.Empty;
            });

        public override Task SubmitAsync(string table, IReadOnlyList<RowAction> actions, CancellationToken cancellationToken) =>
            WriteAsync(table, async () =>
            {
                await Inner.SubmitAsync(table, actions, cancellationToken);
                return string.Empty;
            });

        private async Task<string> WriteAsync(string table, Func<Task<string>> write)
        {
            if (table == Names.LogTiles && BeforeTileWrite is { } meanwhile && Interlocked.Exchange(ref _interleaved, 1) == 0)
            {
                await meanwhile();
            }

            var number = Interlocked.Increment(ref _writes);
            if (number == FailAt && !AfterWriting)
            {
                throw new IOException($"stopped before write {number} ({table})");
            }

            var result = await write();
            if (number == FailAt)
            {
                throw new IOException($"stopped after write {number} ({table})");
            }

            return result;
        }
    }
}
