namespace BlocklistService.Domain.Lists;

/// <summary>
/// The hashed twin of a <see cref="Snapshot"/> (<c>blocklist-hashed-snapshot/1</c>, stored as <c>snapshot.json.gz</c>
/// under <c>lists/{list}/hashed/</c>): every listed entry of one version as id, scope and category, sorted by id.
/// </summary>
public sealed class HashedSnapshot : ListSnapshot<HashedEntry>
{
    public const string Format = "blocklist-hashed-snapshot/1";

    private HashedSnapshot(ListName list, long version, HashedEntry[] entries)
        : base(list, version, entries)
    {
    }

    /// <summary>The hashed form of <paramref name="snapshot"/> (same ids, same order).</summary>
    public static HashedSnapshot Of(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new HashedSnapshot(snapshot.List, snapshot.Version, snapshot.Entries.Select(HashedEntry.From).ToArray());
    }

    /// <inheritdoc/>
    public override byte[] ToJson() => SnapshotJson.Write(Format, this, EntryShapes.Hashed);

    /// <summary>Parses canonical JSON; rejects another format, missing or unknown fields, unsorted or duplicate ids.</summary>
    public static Result<HashedSnapshot> FromJson(ReadOnlySpan<byte> json) =>
        SnapshotJson.Read(json, Format, EntryShapes.Hashed, (list, version, entries) => new HashedSnapshot(list, version, entries));

    /// <summary>Parses the stored <c>snapshot.json.gz</c> bytes.</summary>
    public static Result<HashedSnapshot> FromGzip(ReadOnlySpan<byte> gzip) => ArtifactJson.FromGzip(gzip, Format, FromJson);
}
