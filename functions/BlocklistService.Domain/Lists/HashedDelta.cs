using System.Text.Json;
using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// The hashed twin of a <see cref="Delta"/> (<c>blocklist-hashed-delta/1</c>, stored as <c>delta.json.gz</c> under
/// <c>lists/{list}/hashed/</c>): the same versions, the same removes, and the same adds without their expressions.
/// Applying it follows the same rules (remove listed ids, then add absent ones); adds and removes are sorted by id.
/// </summary>
public sealed class HashedDelta
{
    public const string Format = "blocklist-hashed-delta/1";

    private HashedDelta(ListName list, long fromVersion, long toVersion, HashedEntry[] adds, EntryId[] removes)
    {
        List = list;
        FromVersion = fromVersion;
        ToVersion = toVersion;
        Adds = adds;
        Removes = removes;
    }

    public ListName List { get; }

    public long FromVersion { get; }

    public long ToVersion { get; }

    /// <summary>Entries that become listed, sorted by id.</summary>
    public IReadOnlyList<HashedEntry> Adds { get; }

    /// <summary>Ids that stop being listed, sorted.</summary>
    public IReadOnlyList<EntryId> Removes { get; }

    /// <summary>The hashed form of <paramref name="delta"/>: its order and ids carry over unchanged.</summary>
    public static HashedDelta Of(Delta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return new HashedDelta(delta.List, delta.FromVersion, delta.ToVersion, delta.Adds.Select(HashedEntry.From).ToArray(), delta.Removes.ToArray());
    }

    /// <summary>Canonical JSON bytes.</summary>
    public byte[] ToJson() => ArtifactJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteString("list", List.Value);
        writer.WriteNumber("fromVersion", FromVersion);
        writer.WriteNumber("toVersion", ToVersion);
        writer.WriteStartArray("adds");
        foreach (var entry in Adds)
        {
            writer.WriteHashedEntry(entry);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("removes");
        foreach (var id in Removes)
        {
            writer.WriteStringValue(id.Hex);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>The stored form: gzip of <see cref="ToJson"/>.</summary>
    public byte[] ToGzip() => ArtifactJson.Gzip(ToJson());

    /// <summary>Parses canonical JSON; rejects another format, missing or unknown fields, unsorted or duplicate ids.</summary>
    public static Result<HashedDelta> FromJson(ReadOnlySpan<byte> json) => ArtifactJson.Parse(json, Format, root =>
    {
        var list = root.List("list");
        var from = root.Integer("fromVersion", 0);
        var to = root.Integer("toVersion", 1);
        if (to <= from)
        {
            throw JsonObjectReader.Fail("toVersion", $"must be greater than fromVersion ({from})");
        }

        var adds = new List<HashedEntry>();
        foreach (var (element, path) in root.Array("adds"))
        {
            var entry = JsonObjectReader.ReadHashedEntry(element, path);
            if (adds.Count > 0 && string.CompareOrdinal(adds[^1].Id.Hex, entry.Id.Hex) >= 0)
            {
                throw JsonObjectReader.Fail(path, "ids must be unique and sorted ascending");
            }

            adds.Add(entry);
        }

        var removes = new List<EntryId>();
        foreach (var (element, path) in root.Array("removes"))
        {
            var id = JsonObjectReader.ParseId(element.ValueKind == JsonValueKind.String ? element.GetString() : null, path);
            if (removes.Count > 0 && string.CompareOrdinal(removes[^1].Hex, id.Hex) >= 0)
            {
                throw JsonObjectReader.Fail(path, "ids must be unique and sorted ascending");
            }

            removes.Add(id);
        }

        return new HashedDelta(list, from, to, adds.ToArray(), removes.ToArray());
    });

    /// <summary>Parses the stored <c>delta.json.gz</c> bytes.</summary>
    public static Result<HashedDelta> FromGzip(ReadOnlySpan<byte> gzip)
    {
        var json = ArtifactJson.Gunzip(gzip);
        return json.IsSuccess ? FromJson(json.Value) : Result<HashedDelta>.Failure($"{Format}: {json.Error}");
    }
}
