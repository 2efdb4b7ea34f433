using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Publishing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Storage;

/// <summary>
/// Every table codec written through a real store and read back gives what was written (so each property's type
/// survives Table Storage, not only a dictionary), and a row without its properties reads as the defaults the codec
/// states. Run on Azurite and in memory, like the contract suite.
/// </summary>
public sealed class CodecTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset At = new(2026, 11, 22, 12, 30, 15, TimeSpan.Zero);
    private static readonly EntryId Id = EntryId.ForExpression("codec.example/page");

    public static TheoryData<string> Backends => PublishWorld.Backends;

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_entry_with_its_backings_round_trips(string backend)
    {
        var entry = new EntryState(Id, "codec.example/page", EntryScope.Path, "csam",
            [new Backing("hotline-a", "REF-1", At.AddDays(-2), At.AddDays(90), "s-1", 3), new Backing("hotline-b", "REF-2", At.AddDays(-1), At.AddDays(30), "s-2", 0)],
            AddedIn: 4, RemovedIn: null);

        var read = EntryRows.FromRow(Id, await RoundTripAsync(backend, StorageNames.Entries, EntryRows.ToRow("eu", entry)));

        IReadOnlyList<Backing> none = [];
        Assert.Equal(entry with { Backings = none }, read with { Backings = none });
        Assert.Equal(entry.Backings, read.Backings);
        Assert.True(read.IsListed);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_expiry_round_trips_and_is_found_exactly_when_due(string backend)
    {
        using var world = await PublishWorld.CreateAsync(backend, storage);
        var due = new DueExpiry(Id, "hotline 'a'/Köln", At);
        var later = new DueExpiry(Id, "hotline-b", At.AddSeconds(1));
        await world.Rows.UpsertAsync(StorageNames.Expiries, [ExpiryRows.ToRow("eu", due), ExpiryRows.ToRow("eu", later)], default);

        var found = new List<DueExpiry>();
        await foreach (var row in world.Rows.QueryAsync(StorageNames.Expiries, "eu", null, ExpiryRows.DueBefore(At), default))
        {
            found.Add(ExpiryRows.FromRow(row)!);
        }

        Assert.Equal([due], found);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_list_head_round_trips_with_its_checksum_and_ETag(string backend)
    {
        using var world = await PublishWorld.CreateAsync(backend, storage);
        var etag = await world.Rows.AddAsync(StorageNames.Lists, ListHeadRows.New("eu"), default);
        var head = new ListHead("eu", 7, 1234, [1, 2, 3, 255], "manifest-sha", 6, "snapshot-sha", 4096, 77, At, "plans/eu/000000000008-x.json", etag);

        var updated = await world.Rows.UpdateAsync(StorageNames.Lists, ListHeadRows.ToRow(head), etag, default);
        var read = ListHeadRows.Read((await world.Rows.GetAsync(StorageNames.Lists, ListHeadRows.Partition, "eu", default))!);

        Assert.Equal(head with { Checksum = null, ETag = updated }, read with { Checksum = null });
        Assert.Equal(head.Checksum, read.Checksum);
        Assert.Equal("plans/eu/000000000008-x.json", read.InFlightPlan);
        Assert.Equal(new PublishedHead("eu", 7, "manifest-sha", 6, "snapshot-sha", 4096), ListHeadRows.FromRow(await world.Rows.GetAsync(StorageNames.Lists, ListHeadRows.Partition, "eu", default) ?? throw new InvalidOperationException()));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_version_round_trips_and_a_range_reads_exactly_its_versions(string backend)
    {
        using var world = await PublishWorld.CreateAsync(backend, storage);
        var versions = Enumerable.Range(1, 12).Select(v => new VersionRecord("eu", v, At.AddHours(v), 100 + v, v, 1, $"delta-{v}", 500 + v, $"manifest-{v}", 1, 9000, 40 + v, $"root-{v}", $"plans/eu/{v}.json")).ToList();
        await world.Rows.UpsertAsync(StorageNames.Versions, versions.Select(VersionRows.ToRow).ToList(), default);

        var (from, to) = VersionRows.Range(9, 11);
        var read = new List<VersionRecord>();
        await foreach (var row in world.Rows.QueryAsync(StorageNames.Versions, "eu", from, to, default))
        {
            read.Add(VersionRows.FromRow(row)!);
        }

        Assert.Equal(versions.Skip(8).Take(3), read);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_hold_round_trips_and_its_status_changes_only_on_its_ETag(string backend)
    {
        using var world = await PublishWorld.CreateAsync(backend, storage);
        var hold = new StoredHold(new Hold(HoldRows.RowKey("eu", 5), "eu", 5, 600, 2, 602, 1000, At, HoldDesk.Held, "digest", ["s-1", "s-2"]), "holds/eu/5-digest.json", "instance-1");
        await world.Rows.AddAsync(StorageNames.Holds, HoldRows.ToRow(hold), default);

        var stored = HoldRows.FromRow((await world.Rows.GetAsync(StorageNames.Holds, HoldRows.Partition, hold.Hold.Id, default))!);
        IReadOnlyList<string> none = [];
        Assert.Equal(hold.Hold with { Submissions = none }, stored.Hold with { Submissions = none });
        Assert.Equal(hold.Hold.Submissions, stored.Hold.Submissions);
        Assert.Equal((hold.PlanName, hold.Instance, "instance-1"), (stored.PlanName, stored.Instance, stored.InstanceKey));

        await world.Rows.UpdateAsync(StorageNames.Holds, HoldRows.ToRow(stored.WithStatus(HoldDesk.Approved)), stored.ETag, default);
        await Assert.ThrowsAsync<RowConflictException>(() => world.Rows.UpdateAsync(StorageNames.Holds, HoldRows.ToRow(stored.WithStatus(HoldDesk.Rejected)), stored.ETag, default));
        Assert.Equal(HoldDesk.Approved, HoldRows.FromRow((await world.Rows.GetAsync(StorageNames.Holds, HoldRows.Partition, hold.Hold.Id, default))!).Hold.Status);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_isps_polls_round_trip_with_list_names_that_contain_dashes(string backend)
    {
        var polls = new IspPolls("key-1", "Example ISP", At, new Dictionary<string, IspListPoll>
        {
            ["eu"] = new(12, At.AddMinutes(-1)),
            ["uk-extra"] = new(0, At),
        });

        var read = IspRows.FromRow(await RoundTripAsync(backend, StorageNames.Isps, IspRows.ToRow(polls)));

        Assert.Equal((polls.KeyId, polls.Organisation, polls.LastContact), (read.KeyId, read.Organisation, read.LastContact));
        Assert.Equal(polls.Lists.OrderBy(l => l.Key), read.Lists.OrderBy(l => l.Key));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task The_log_head_round_trips_with_and_without_a_pending_batch(string backend)
    {
        var pending = new LogHeadState(10, new string('a', 64), new PendingLogBatch("eu", 3, "plans/eu/3.json", "000000000003", 10, 5, At), At.AddDays(-1));
        var committed = new LogHeadState(15, new string('b', 64), null, At);

        var readPending = LogLayout.FromHeadRow(await RoundTripAsync(backend, StorageNames.LogHead, LogLayout.ToRow(pending)));
        var readCommitted = LogLayout.FromHeadRow(await RoundTripAsync(backend, StorageNames.LogHead, LogLayout.ToRow(committed)));

        Assert.Equal(pending, readPending with { ETag = "" });
        Assert.Equal(committed, readCommitted with { ETag = "" });
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Log_leaf_tile_history_and_batch_rows_round_trip(string backend)
    {
        using var world = await PublishWorld.CreateAsync(backend, storage);
        var leaf = "{\"format\":\"x\",\"text\":\"Grüße 'aus' Köln\"}"u8.ToArray();
        var tile = new TileCoordinate(1, 4100);
        var hashes = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        await world.Rows.UpsertAsync(StorageNames.LogLeaves, [LogLayout.LeafRow(1500, leaf, "eu", 3, At)], default);
        await world.Rows.UpsertAsync(StorageNames.LogTiles, [LogLayout.TileRow(tile, hashes)], default);
        await world.Rows.UpsertAsync(StorageNames.LogHistory, [LogLayout.ToHistoryRow(Id.Hex, [7, 9, 1500])], default);
        await world.Rows.UpsertAsync(StorageNames.LogBatches, [LogLayout.BatchRow("eu", LogLayout.Key(3), 1495, 6, 1501, new string('c', 64))], default);

        var leafRow = (await world.Rows.GetAsync(StorageNames.LogLeaves, LogLayout.LeafPartition(1500), LogLayout.Key(1500), default))!;
        Assert.Equal(leaf, LogLayout.LeafBytes(leafRow));
        Assert.Equal(1500, LogLayout.LeafIndex(leafRow));
        Assert.Equal(At, LogLayout.PublishedThrough(leafRow));
        Assert.Equal(hashes, LogLayout.TileHashes(await world.Rows.GetAsync(StorageNames.LogTiles, LogLayout.TilePartition(tile), LogLayout.Key(tile.Index), default)));
        var (from, to) = LogLayout.HistoryRange(Id.Hex);
        var history = new List<long>();
        await foreach (var row in world.Rows.QueryAsync(StorageNames.LogHistory, LogLayout.HistoryPartition(Id.Hex), from, to, default))
        {
            history.AddRange(LogLayout.HistoryIndexes(row));
        }

        Assert.Equal([7L, 9L, 1500L], history);
        Assert.Equal(new LogBatch("eu", 3, 1495, 6, 1501, new string('c', 64)),
            LogLayout.FromBatchRow((await world.Rows.GetAsync(StorageNames.LogBatches, "eu", LogLayout.Key(3), default))!, 3));
    }

    [Fact]
    public void A_row_without_properties_reads_as_each_codecs_stated_defaults()
    {
        static Row Bare(string partition, string rowKey) => new(partition, rowKey, new Dictionary<string, object?>());

        Assert.Equal(new ListHead("eu", 0, 0, null, null, 0, null, 0, 0, null, null), ListHeadRows.Read(Bare(ListHeadRows.Partition, "eu")));
        Assert.Null(ListHeadRows.Read(Bare(ListHeadRows.Partition, "eu") with { Properties = new Dictionary<string, object?> { ["PlanName"] = "" } }).InFlightPlan);
        Assert.Equal(new VersionRecord("eu", 4, null, 0, 0, 0, "", 0, null, 0, 0, 0, null, null), VersionRows.FromRow(Bare("eu", VersionRows.RowKey(4))));
        Assert.Null(VersionRows.FromRow(Bare("eu", "not-a-version")));
        var entry = EntryRows.FromRow(Id, Bare("eu", Id.Hex));
        Assert.Equal(("", "", false, null, null), (entry.Expression, entry.Category, entry.IsListed, entry.AddedIn, entry.RemovedIn));
        Assert.Null(ExpiryRows.FromRow(Bare("eu", "20261122123015-x-y")));
        var hold = HoldRows.FromRow(Bare(HoldRows.Partition, "eu-000000000005"));
        Assert.Equal(("eu-000000000005", "", 0L, "", 0), (hold.Hold.Id, hold.Hold.List, hold.Hold.Version, hold.Hold.Status, hold.Hold.Submissions.Count));
        Assert.Null(hold.PlanName);
        Assert.Equal(new LogHeadState(0, LogLayout.EmptyRoot, null, null), LogLayout.FromHeadRow(Bare(LogLayout.HeadPartition, LogLayout.HeadRow)));
        Assert.Empty(IspRows.FromRow(Bare(IspRows.Partition, "key")).Lists);
        Assert.Empty(LogLayout.HistoryIndexes(Bare("entries-a", "a-000000000001")));
        Assert.Null(LogLayout.LeafBytes(Bare("leaves-0", LogLayout.Key(0))));
    }

    [Fact]
    public void A_pending_batch_announced_before_decisions_existed_is_keyed_by_its_version()
    {
        var head = new Row(LogLayout.HeadPartition, LogLayout.HeadRow, new Dictionary<string, object?>
        {
            ["Size"] = 4L, ["Root"] = new string('d', 64), ["PendingList"] = "eu", ["PendingVersion"] = 2L, ["PendingPlan"] = "plans/eu/2.json",
            ["PendingStart"] = 4L, ["PendingCount"] = 3L,
        });

        Assert.Equal(new PendingLogBatch("eu", 2, "plans/eu/2.json", LogLayout.Key(2), 4, 3, DateTimeOffset.UnixEpoch), LogLayout.FromHeadRow(head).Pending);
    }

    private async Task<Row> RoundTripAsync(string backend, string table, Row row)
    {
        using var world = await PublishWorld.CreateAsync(backend, storage);
        await world.Rows.UpsertAsync(table, [row], default);
        return await world.Rows.GetAsync(table, row.PartitionKey, row.RowKey, default) ?? throw new InvalidOperationException("the row was not stored");
    }
}
