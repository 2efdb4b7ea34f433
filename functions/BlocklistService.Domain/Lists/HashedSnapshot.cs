namespace BlocklistService.Domain.Lists;

/// <summary>
/// The hashed twin of a <see cref="Snapshot"/> (<c>blocklist-hashed-snapshot/1</c>, stored as <c>snapshot.json.gz</c>
/// under <c>lists/{list}/hashed/</c>): every listed entry of one version as id, scope and category, sorted by id.
/// </summary>
public sealed class HashedSnapshot
{
    public const string Format = "blocklist-hashed-snapshot/1";

    private HashedSnapshot(ListName list, long version, HashedEntry[] entries)
    {
        List = list;
        Version = version;
        Entries = entries;
    }

    public ListName List { get; }

    public long Version { get; }

    /// <summary>Every listed entry, sorted by id.</summary>
    public IReadOnlyList<HashedEntry> Entries { get; }

    /// <summary>The hashed form of <paramref name="snapshot"/> (same ids, same order).</summary>
    public static HashedSnapshot Of(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new HashedSnapshot(snapshot.List, snapshot.Version, snapshot.Entries.Select(HashedEntry.From).ToArray());
    }

    public byte[] ToJson() => ArtifactJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteString("list", List.Value);
        writer.WriteNumber("version", Version);
        writer.WriteStartArray("entries");
        foreach (var entry in Entries)
        {
            writer.WriteHashedEntry(entry);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public byte[] ToGzip() => ArtifactJson.Gzip(ToJson());

    public static Result<HashedSnapshot> FromJson(ReadOnlySpan<byte> json) => ArtifactJson.Parse(json, Format, root =>
    {
        var list = root.List("list");
        var version = root.Integer("version", 0);
        var entries = new List<HashedEntry>();
        foreach (var (element, path) in root.Array("entries"))
        {
            var entry = JsonObjectReader.ReadHashedEntry(element, path);
            if (entries.Count > 0 && string.CompareOrdinal(entries[^1].Id.Hex, entry.Id.Hex) >= 0)
            {
                throw JsonObjectReader.Fail(path, "ids must be unique and sorted ascending");
            }

            entries.Add(entry);
        }

        return new HashedSnapshot(list, version, entries.ToArray());
    });

    public static Result<HashedSnapshot> FromGzip(ReadOnlySpan<byte> gzip)
    {
        var json = ArtifactJson.Gunzip(gzip);
        return json.IsSuccess ? FromJson(json.Value) : Result<HashedSnapshot>.Failure($"{Format}: {json.Error}");
    }
}
