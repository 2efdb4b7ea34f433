using System.Text.Json;
using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// The body every delta format shares (<see cref="Delta"/>, <see cref="HashedDelta"/>): format, list, from and to
/// versions, the adds in the feed's <see cref="EntryShape{TEntry}"/> and the removed ids, both sorted by id.
/// </summary>
internal static class DeltaJson
{
    public static byte[] Write<TEntry>(string format, ListDelta<TEntry> delta, EntryShape<TEntry> shape) =>
        ArtifactJson.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("format", format);
            writer.WriteString("list", delta.List.Value);
            writer.WriteNumber("fromVersion", delta.FromVersion);
            writer.WriteNumber("toVersion", delta.ToVersion);
            writer.WriteStartArray("adds");
            foreach (var entry in delta.Adds)
            {
                shape.Write(writer, entry);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("removes");
            foreach (var id in delta.Removes)
            {
                writer.WriteStringValue(id.Hex);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });

    /// <summary>
    /// Parses canonical JSON of <paramref name="format"/> and hands the parts to <paramref name="create"/>; rejects
    /// another format, missing or unknown fields, versions out of order, unsorted or duplicate ids.
    /// </summary>
    public static Result<TDelta> Read<TEntry, TDelta>(ReadOnlySpan<byte> json, string format, EntryShape<TEntry> shape, Func<ListName, long, long, TEntry[], EntryId[], TDelta> create) =>
        ArtifactJson.Parse(json, format, root =>
        {
            var list = root.List("list");
            var from = root.Integer("fromVersion", 0);
            var to = root.Integer("toVersion", 1);
            if (to <= from)
            {
                throw JsonObjectReader.Fail("toVersion", $"must be greater than fromVersion ({from})");
            }

            var adds = root.SortedById("adds", shape.Read, shape.IdOf);
            var removes = root.SortedById("removes", ReadId, id => id);
            return create(list, from, to, adds, removes);
        });

    private static EntryId ReadId(JsonElement element, string path) =>
        JsonObjectReader.ParseId(element.ValueKind == JsonValueKind.String ? element.GetString() : null, path);
}
