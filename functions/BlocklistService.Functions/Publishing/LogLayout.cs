using System.Globalization;
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
/// </list>
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
}
