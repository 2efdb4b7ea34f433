namespace BlocklistService.Domain.Lists;

/// <summary>
/// A whole list at one version (<c>blocklist-snapshot/1</c>, stored as <c>snapshot.json.gz</c>): what a new client
/// starts from before applying later deltas. Entries are sorted by id.
/// </summary>
public sealed class Snapshot
{
    public const string Format = "blocklist-snapshot/1";

    private Snapshot(ListName list, long version, ListEntry[] entries)
    {
        List = list;
        Version = version;
        Entries = entries;
    }

    public ListName List { get; }

    public long Version { get; }

    /// <summary>Every listed entry, sorted by id.</summary>
    public IReadOnlyList<ListEntry> Entries { get; }

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

    public byte[] ToJson() => ArtifactJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteString("list", List.Value);
        writer.WriteNumber("version", Version);
        writer.WriteStartArray("entries");
        foreach (var entry in Entries)
        {
            writer.WriteEntry(entry);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public byte[] ToGzip() => ArtifactJson.Gzip(ToJson());

    public static Result<Snapshot> FromJson(ReadOnlySpan<byte> json) => ArtifactJson.Parse(json, Format, root =>
    {
        var list = root.List("list");
        var version = root.Integer("version", 0);
        var entries = new List<ListEntry>();
        foreach (var (element, path) in root.Array("entries"))
        {
            var entry = JsonObjectReader.ReadEntry(element, path);
            if (entries.Count > 0 && string.CompareOrdinal(entries[^1].Id.Hex, entry.Id.Hex) >= 0)
            {
                throw JsonObjectReader.Fail(path, "ids must be unique and sorted ascending");
            }

            entries.Add(entry);
        }

        return new Snapshot(list, version, entries.ToArray());
    });

    public static Result<Snapshot> FromGzip(ReadOnlySpan<byte> gzip)
    {
        var json = ArtifactJson.Gunzip(gzip);
        return json.IsSuccess ? FromJson(json.Value) : Result<Snapshot>.Failure($"{Format}: {json.Error}");
    }
}
