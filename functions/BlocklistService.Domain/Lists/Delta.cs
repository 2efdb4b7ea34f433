using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// The change from one list version to a later one (<c>blocklist-delta/1</c>, stored as <c>delta.json.gz</c>).
/// Applying it means: remove every id in <see cref="Removes"/> (each must be listed), then add every entry in
/// <see cref="Adds"/> (each must then be absent). An id in both replaces the entry (e.g. a changed category).
/// Adds and removes are sorted by id, so the same change always has the same bytes.
/// </summary>
public sealed class Delta : ListDelta<ListEntry>
{
    public const string Format = "blocklist-delta/1";

    private Delta(ListName list, long fromVersion, long toVersion, ListEntry[] adds, EntryId[] removes)
        : base(list, fromVersion, toVersion, adds, removes)
    {
    }

    /// <summary>Adds plus removes.</summary>
    public int ChangeCount => Adds.Count + Removes.Count;

    /// <summary>
    /// Builds a delta, sorting adds and removes by id. Throws <see cref="ArgumentException"/> for a programming error:
    /// versions out of order, an id added or removed twice, or an entry whose id is not the hash of its expression.
    /// </summary>
    public static Delta Create(ListName list, long fromVersion, long toVersion, IEnumerable<ListEntry> adds, IEnumerable<EntryId> removes)
    {
        if (fromVersion < 0 || toVersion <= fromVersion)
        {
            throw new ArgumentException($"versions must satisfy 0 <= from < to (from {fromVersion}, to {toVersion})");
        }

        var sortedAdds = adds.OrderBy(e => e.Id.Hex, StringComparer.Ordinal).ToArray();
        var sortedRemoves = removes.OrderBy(id => id.Hex, StringComparer.Ordinal).ToArray();
        for (var i = 0; i < sortedAdds.Length; i++)
        {
            if (i > 0 && sortedAdds[i].Id == sortedAdds[i - 1].Id)
            {
                throw new ArgumentException($"id {sortedAdds[i].Id} is added twice", nameof(adds));
            }

            if (EntryId.ForExpression(sortedAdds[i].Expression) != sortedAdds[i].Id)
            {
                throw new ArgumentException($"id {sortedAdds[i].Id} is not the hash of '{sortedAdds[i].Expression}'", nameof(adds));
            }
        }

        for (var i = 1; i < sortedRemoves.Length; i++)
        {
            if (sortedRemoves[i] == sortedRemoves[i - 1])
            {
                throw new ArgumentException($"id {sortedRemoves[i]} is removed twice", nameof(removes));
            }
        }

        return new Delta(list, fromVersion, toVersion, sortedAdds, sortedRemoves);
    }

    /// <summary>The delta that turns <paramref name="from"/> into <paramref name="to"/> (same list, later version).</summary>
    public static Delta Between(ListState from, ListState to)
    {
        if (from.List != to.List)
        {
            throw new ArgumentException($"states of different lists ({from.List}, {to.List})");
        }

        var adds = new List<ListEntry>();
        var removes = new List<EntryId>();
        foreach (var entry in to.Entries)
        {
            if (!from.TryGetEntry(entry.Id, out var old))
            {
                adds.Add(entry);
            }
            else if (old != entry)
            {
                removes.Add(entry.Id);
                adds.Add(entry);
            }
        }

        foreach (var id in from.Ids)
        {
            if (!to.Contains(id))
            {
                removes.Add(id);
            }
        }

        return Create(from.List, from.Version, to.Version, adds, removes);
    }

    /// <inheritdoc/>
    public override byte[] ToJson() => DeltaJson.Write(Format, this, EntryShapes.Plain);

    /// <summary>Parses canonical JSON; rejects another format, missing or unknown fields, unsorted or duplicate ids.</summary>
    public static Result<Delta> FromJson(ReadOnlySpan<byte> json) =>
        DeltaJson.Read(json, Format, EntryShapes.Plain, (list, from, to, adds, removes) => new Delta(list, from, to, adds, removes));

    /// <summary>Parses the stored <c>delta.json.gz</c> bytes.</summary>
    public static Result<Delta> FromGzip(ReadOnlySpan<byte> gzip) => ArtifactJson.FromGzip(gzip, Format, FromJson);
}
