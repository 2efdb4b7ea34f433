namespace BlocklistService.Functions.Publishing;

/// <summary>
/// A list's head as stored: the committed version with its count, LtHash checksum, manifest hash and snapshot facts,
/// when it was published, and the plan in flight (if a publisher has claimed the next version). Updated only with
/// <c>If-Match</c> on <see cref="ETag"/>: the head is the claim and the commit point of every version.
/// </summary>
public sealed record ListHead(
    string List,
    long Version,
    long EntryCount,
    byte[]? Checksum,
    string? ManifestSha256,
    long SnapshotVersion,
    string? SnapshotSha256,
    long SnapshotSize,
    long DeltaBytesSinceSnapshot,
    DateTimeOffset? Published,
    string? PlanName,
    string ETag = "")
{
    /// <summary>The plan a publisher has claimed the next version with, or null when none is in flight.</summary>
    public string? InFlightPlan => string.IsNullOrEmpty(PlanName) ? null : PlanName;

    /// <summary>What the read side needs of the head.</summary>
    public PublishedHead ToPublished() => new(List, Version, ManifestSha256, SnapshotVersion, SnapshotSha256, SnapshotSize);
}

/// <summary>
/// The <c>lists</c> table's codec: PK <c>list</c>, RK list name; <c>Version</c>, <c>EntryCount</c>, <c>Checksum</c>
/// (binary), <c>ManifestSha256</c>, <c>SnapshotVersion</c>, <c>SnapshotSha256</c>, <c>SnapshotSize</c>,
/// <c>DeltaBytesSinceSnapshot</c>, <c>Published</c> and <c>PlanName</c> (empty or missing: no plan in flight). The API
/// creates a head at version 0 (<see cref="New"/>); <see cref="PublishRunner"/> claims and commits it; every reader
/// decodes it here (missing numbers read as 0, missing hashes and times as null).
/// </summary>
public static class ListHeadRows
{
    public const string Partition = "list";

    /// <summary>The head of a list that has no version yet.</summary>
    public static Row New(string list) => ToRow(new ListHead(list, 0, 0, null, null, 0, null, 0, 0, null, null));

    public static Row ToRow(ListHead head) => new(Partition, head.List, new Dictionary<string, object?>
    {
        ["Version"] = head.Version,
        ["EntryCount"] = head.EntryCount,
        ["Checksum"] = head.Checksum,
        ["ManifestSha256"] = head.ManifestSha256,
        ["SnapshotVersion"] = head.SnapshotVersion,
        ["SnapshotSha256"] = head.SnapshotSha256,
        ["SnapshotSize"] = head.SnapshotSize,
        ["DeltaBytesSinceSnapshot"] = head.DeltaBytesSinceSnapshot,
        ["Published"] = head.Published,
        ["PlanName"] = head.PlanName,
    }, head.ETag);

    public static ListHead Read(Row row) => new(
        row.RowKey,
        row.GetInt64("Version") ?? 0,
        row.GetInt64("EntryCount") ?? 0,
        row.GetBinary("Checksum"),
        row.GetString("ManifestSha256") is { Length: > 0 } manifest ? manifest : null,
        row.GetInt64("SnapshotVersion") ?? 0,
        row.GetString("SnapshotSha256"),
        row.GetInt64("SnapshotSize") ?? 0,
        row.GetInt64("DeltaBytesSinceSnapshot") ?? 0,
        row.GetDateTimeOffset("Published"),
        row.GetString("PlanName"),
        row.ETag);

    /// <summary>The published part of a head row (the ISP routes' view).</summary>
    public static PublishedHead FromRow(Row row) => Read(row).ToPublished();
}
