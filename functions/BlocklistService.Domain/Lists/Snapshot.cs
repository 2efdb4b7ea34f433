namespace BlocklistService.Domain.Lists;

/// <summary>
/// A whole list at one version (<c>blocklist-snapshot/1</c>, stored as <c>snapshot.json.gz</c>): what a new client
/// starts from before applying later deltas. Entries are sorted by id.
/// </summary>
public sealed class Snapshot : ListSnapshot<ListEntry>
{
    public const string Format = "blocklist-snapshot/1";

    private Snapshot(ListName list, long version, ListEntry[] entries)
        : base(list, version, entries)
    {
    }

    /// <summary>Builds a snapshot, sorting entries by id; throws <see cref="ArgumentException"/> on a duplicate id.</summary>
    public static Snapshot Create(ListName list, long version, IEnumerable<ListEntry> entries)
    {
        if (version < 0)
        {
            throw new ArgumentException("version must not be negative", nameof(version));
        }

        var sorted = entries.OrderBy(e => e.Id.Hex, StringComparer.Ordinal).ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Id == sorted[i - 1].Id)
            {
                throw new ArgumentException($"id {sorted[i].Id} appears twice", nameof(entries));
            }
        }

        return new Snapshot(list, version, sorted);
    }

    /// <inheritdoc/>
    public override byte[] ToJson() => SnapshotJson.Write(Format, this, EntryShapes.Plain);

    /// <summary>Parses canonical JSON; rejects another format, missing or unknown fields, unsorted or duplicate ids.</summary>
    public static Result<Snapshot> FromJson(ReadOnlySpan<byte> json) =>
        SnapshotJson.Read(json, Format, EntryShapes.Plain, (list, version, entries) => new Snapshot(list, version, entries));

    /// <summary>Parses the stored <c>snapshot.json.gz</c> bytes.</summary>
    public static Result<Snapshot> FromGzip(ReadOnlySpan<byte> gzip) => ArtifactJson.FromGzip(gzip, Format, FromJson);
}
