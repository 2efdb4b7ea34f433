using System.Globalization;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// One published version of a list as the <c>versions</c> table records it: when, the size after it and what it
/// changed, its delta and manifest hashes, the snapshot it points at, where the log stood after its leaves, and the
/// plan it executed.
/// </summary>
public sealed record VersionRecord(
    string List,
    long Version,
    DateTimeOffset? Created,
    long EntryCount,
    long Added,
    long Removed,
    string DeltaSha256,
    long DeltaSize,
    string? ManifestSha256,
    long SnapshotVersion,
    long SnapshotSize,
    long LogSize,
    string? LogRoot,
    string? Plan);

/// <summary>
/// The <c>versions</c> table's codec: PK list name, RK version <c>D12</c> (so a version range is one range query);
/// <c>Created</c>, <c>EntryCount</c>, <c>Added</c>, <c>Removed</c>, <c>DeltaSha256</c>, <c>DeltaSize</c>,
/// <c>ManifestSha256</c>, <c>SnapshotVersion</c>, <c>SnapshotSize</c>, <c>LogSize</c>, <c>LogRoot</c>, <c>Plan</c>.
/// Written by <see cref="PublishRunner"/> before the head commit; read by the update path (<see cref="ListReader"/>),
/// the admin overview (<see cref="ListOverview"/>) and the ISP lag report (<see cref="IspTracker"/>).
/// </summary>
public static class VersionRows
{
    public static string RowKey(long version) => version.ToString("D12", CultureInfo.InvariantCulture);

    /// <summary>The RowKey range [from, to) of versions <paramref name="first"/> … <paramref name="last"/> inclusive.</summary>
    public static (string From, string To) Range(long first, long last) => (RowKey(first), RowKey(last + 1));

    public static Row ToRow(VersionRecord version) => new(version.List, RowKey(version.Version), new Dictionary<string, object?>
    {
        ["Created"] = version.Created,
        ["EntryCount"] = version.EntryCount,
        ["Added"] = version.Added,
        ["Removed"] = version.Removed,
        ["DeltaSha256"] = version.DeltaSha256,
        ["DeltaSize"] = version.DeltaSize,
        ["ManifestSha256"] = version.ManifestSha256,
        ["SnapshotVersion"] = version.SnapshotVersion,
        ["SnapshotSize"] = version.SnapshotSize,
        ["LogSize"] = version.LogSize,
        ["LogRoot"] = version.LogRoot,
        ["Plan"] = version.Plan,
    });

    /// <summary>The version a row records (missing numbers read as 0, a missing delta hash as empty), or null for a row key that is not a version.</summary>
    public static VersionRecord? FromRow(Row row) =>
        long.TryParse(row.RowKey, NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? new VersionRecord(
                row.PartitionKey,
                version,
                row.GetDateTimeOffset("Created"),
                row.GetInt64("EntryCount") ?? 0,
                row.GetInt64("Added") ?? 0,
                row.GetInt64("Removed") ?? 0,
                row.GetString("DeltaSha256") ?? string.Empty,
                row.GetInt64("DeltaSize") ?? 0,
                row.GetString("ManifestSha256"),
                row.GetInt64("SnapshotVersion") ?? 0,
                row.GetInt64("SnapshotSize") ?? 0,
                row.GetInt64("LogSize") ?? 0,
                row.GetString("LogRoot"),
                row.GetString("Plan"))
            : null;
}
