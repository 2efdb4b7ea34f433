using System.Globalization;
using System.Text;
using BlocklistService.Domain.Transparency;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// The transparency log's keys, shared by the writer (<see cref="TransparencyLogStore"/>) and the auditor's reader:
/// <list type="bullet">
/// <item><c>logleaves</c>: PK <c>leaves-{index / 1024}</c>, RK index D12, <c>Leaf</c> = canonical JSON,
/// <c>PublishedThrough</c> = the latest <c>publishedAt</c> of all leaves up to this one (monotone in the index).</item>
/// <item><c>logtiles</c>: PK <c>tiles-{level}-{index / 4096}</c>, RK tile index D12, <c>Hashes</c> = the tile's bottom row (32 bytes each).</item>
/// <item><c>loghistory</c>: PK <c>entries-{first hex digit of the entry id}</c>, RK <c>{entry id}-{first index D12}</c>,
/// <c>Indexes</c> = the entry's leaf indexes in one batch (comma separated, at most <see cref="IndexesPerHistoryRow"/>).</item>
/// <item><c>loghead</c>: the one row PK <c>log</c>, RK <c>head</c> (<see cref="LogHeadState"/>).</item>
/// <item><c>logbatches</c>: PK list name (or the decision partition), RK version D12 (or the decision id) (<see cref="LogBatch"/>).</item>
/// </list>
/// Every reader and writer of these tables builds and decodes rows here (the codec of the log's tables).
/// </summary>
public static class LogLayout
{
    public const int LeavesPerPartition = 1024;
    public const int TilesPerPartition = 4096;
    public const int IndexesPerHistoryRow = 1000;
    public const string PublishedThroughProperty = "PublishedThrough";

    /// <summary><c>loghead</c>: the one head row (PK <c>log</c>, RK <c>head</c>) with <c>Size</c>, <c>Root</c> and the pending batch.</summary>
    public const string HeadPartition = "log";
    public const string HeadRow = "head";
    public const string LeafProperty = "Leaf";
    public const string HashesProperty = "Hashes";
    public const string IndexesProperty = "Indexes";

    public static string LeafPartition(long index) => string.Create(CultureInfo.InvariantCulture, $"leaves-{index / LeavesPerPartition}");

    public static string TilePartition(TileCoordinate tile) => string.Create(CultureInfo.InvariantCulture, $"tiles-{tile.Level}-{tile.Index / TilesPerPartition}");

    public static string HistoryPartition(string entryIdHex) => "entries-" + entryIdHex[..1];

    public static string HistoryRow(string entryIdHex, long firstIndex) => entryIdHex + "-" + Key(firstIndex);

    /// <summary>The RowKey range [from, to) of every history row of one entry ('.' sorts right after '-').</summary>
    public static (string From, string To) HistoryRange(string entryIdHex) => (entryIdHex + "-", entryIdHex + ".");

    public static string FormatIndexes(IEnumerable<long> indexes) => string.Join(',', indexes.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    public static IEnumerable<long> ParseIndexes(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split(',').Select(part => long.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture));

    public static string Key(long value) => value.ToString("D12", CultureInfo.InvariantCulture);

    /// <summary>The <c>log</c> container's current checkpoint (overwritten, no-cache).</summary>
    public const string CurrentCheckpoint = "checkpoint.json";

    /// <summary>The <c>log</c> container's immutable checkpoint of the tree at <paramref name="size"/>.</summary>
    public static string CheckpointAt(long size) => string.Create(CultureInfo.InvariantCulture, $"checkpoints/{size}.json");

    /// <summary>A leaf row: its canonical bytes (as text), the list and version that appended it, and <c>PublishedThrough</c>.</summary>
    public static Row LeafRow(long index, byte[] leaf, string list, long version, DateTimeOffset publishedThrough) =>
        new(LeafPartition(index), Key(index), new Dictionary<string, object?>
        {
            [LeafProperty] = Encoding.UTF8.GetString(leaf),
            ["List"] = list,
            ["Version"] = version,
            [PublishedThroughProperty] = publishedThrough,
        });

    /// <summary>A leaf row's canonical bytes, or null when the row has none.</summary>
    public static byte[]? LeafBytes(Row row) => row.GetString(LeafProperty) is { } text ? Encoding.UTF8.GetBytes(text) : null;

    /// <summary>A leaf row's index (its RowKey), or null for a key that is not one.</summary>
    public static long? LeafIndex(Row row) =>
        long.TryParse(row.RowKey, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;

    /// <summary>The latest publishedAt of every leaf up to this one, or null for rows written before it was kept.</summary>
    public static DateTimeOffset? PublishedThrough(Row row) => row.GetDateTimeOffset(PublishedThroughProperty);

    public static Row TileRow(TileCoordinate tile, byte[] hashes) =>
        new(TilePartition(tile), Key(tile.Index), new Dictionary<string, object?> { [HashesProperty] = hashes });

    /// <summary>A tile row's bottom row of hashes, or null when there is no row (or no hashes in it).</summary>
    public static byte[]? TileHashes(Row? row) => row?.GetBinary(HashesProperty);

    /// <summary>One history row: the leaf indexes (in one batch) about one entry, keyed by the first.</summary>
    public static Row ToHistoryRow(string entryIdHex, IReadOnlyList<long> indexes) =>
        new(HistoryPartition(entryIdHex), HistoryRow(entryIdHex, indexes[0]), new Dictionary<string, object?> { [IndexesProperty] = FormatIndexes(indexes) });

    /// <summary>The leaf indexes a history row lists (none when the property is missing).</summary>
    public static IEnumerable<long> HistoryIndexes(Row row) => ParseIndexes(row.GetString(IndexesProperty));

    public static Row ToRow(LogHeadState head)
    {
        var properties = new Dictionary<string, object?>
        {
            ["Size"] = head.Size,
            ["Root"] = head.Root,
            ["MaxPublishedAt"] = head.MaxPublishedAt,
        };
        if (head.Pending is { } pending)
        {
            properties["PendingList"] = pending.List;
            properties["PendingVersion"] = pending.Version;
            properties["PendingPlan"] = pending.Plan;
            properties["PendingBatchRow"] = pending.BatchRow;
            properties["PendingStart"] = pending.Start;
            properties["PendingCount"] = pending.Count;
            properties["PendingAt"] = pending.At;
        }

        return new Row(HeadPartition, HeadRow, properties, head.ETag);
    }

    /// <summary>
    /// The log head a row stores. A missing size is 0 and a missing root the empty tree's; a batch is pending only when
    /// <c>PendingPlan</c> is set (heads announced before decisions existed have no <c>PendingBatchRow</c>: the version's key).
    /// </summary>
    public static LogHeadState FromHeadRow(Row row)
    {
        PendingLogBatch? pending = null;
        if (row.GetString("PendingPlan") is { Length: > 0 } plan)
        {
            var version = row.GetInt64("PendingVersion") ?? 0;
            pending = new PendingLogBatch(
                row.GetString("PendingList") ?? string.Empty,
                version,
                plan,
                row.GetString("PendingBatchRow") is { Length: > 0 } batchRow ? batchRow : Key(version),
                row.GetInt64("PendingStart") ?? 0,
                row.GetInt64("PendingCount") ?? 0,
                row.GetDateTimeOffset("PendingAt") ?? DateTimeOffset.UnixEpoch);
        }

        return new LogHeadState(
            row.GetInt64("Size") ?? 0,
            row.GetString("Root") is { Length: > 0 } root ? root : EmptyRoot,
            pending,
            row.GetDateTimeOffset("MaxPublishedAt"),
            row.ETag);
    }

    /// <summary>The root of the empty log (lowercase hex).</summary>
    public static string EmptyRoot { get; } = Convert.ToHexStringLower(MerkleHash.Empty());

    /// <summary>A <c>logbatches</c> row: <c>Start</c>, <c>Count</c>, <c>Size</c>, <c>Root</c> under the batch's list and row key.</summary>
    public static Row BatchRow(string list, string rowKey, long start, long count, long size, string root) =>
        new(list, rowKey, new Dictionary<string, object?> { ["Start"] = start, ["Count"] = count, ["Size"] = size, ["Root"] = root });

    /// <summary>The batch a <c>logbatches</c> row records, for the given version (the row key of a decision batch is not one).</summary>
    public static LogBatch FromBatchRow(Row row, long version) =>
        new(row.PartitionKey, version, row.GetInt64("Start") ?? 0, row.GetInt64("Count") ?? 0, row.GetInt64("Size") ?? 0, row.GetString("Root") ?? EmptyRoot);
}

/// <summary>
/// The <c>loghead</c> row: the log's size and root, the batch announced and not yet committed (if any), and the latest
/// <c>publishedAt</c> of every committed leaf. Its ETag serialises appends across all lists.
/// </summary>
public sealed record LogHeadState(long Size, string Root, PendingLogBatch? Pending, DateTimeOffset? MaxPublishedAt, string ETag = "");

/// <summary>A batch announced in the log head: whose leaves, from which plan, where they go and when they were published.</summary>
public sealed record PendingLogBatch(string List, long Version, string Plan, string BatchRow, long Start, long Count, DateTimeOffset At);
