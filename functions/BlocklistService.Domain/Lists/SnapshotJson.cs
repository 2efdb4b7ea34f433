namespace BlocklistService.Domain.Lists;

/// <summary>
/// The body every snapshot format shares (<see cref="Snapshot"/>, <see cref="HashedSnapshot"/>): format, list,
/// version and every entry in the feed's <see cref="EntryShape{TEntry}"/>, sorted by id.
/// </summary>
internal static class SnapshotJson
{
    public static byte[] Write<TEntry>(string format, ListSnapshot<TEntry> snapshot, EntryShape<TEntry> shape) =>
        ArtifactJson.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("format", format);
            writer.WriteString("list", snapshot.List.Value);
            writer.WriteNumber("version", snapshot.Version);
            writer.WriteStartArray("entries");
            foreach (var entry in snapshot.Entries)
            {
                shape.Write(writer, entry);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });

    /// <summary>Parses canonical JSON of <paramref name="format"/>; rejects another format, missing or unknown fields, unsorted or duplicate ids.</summary>
    public static Result<TSnapshot> Read<TEntry, TSnapshot>(ReadOnlySpan<byte> json, string format, EntryShape<TEntry> shape, Func<ListName, long, TEntry[], TSnapshot> create) =>
        ArtifactJson.Parse(json, format, root =>
        {
            var list = root.List("list");
            var version = root.Integer("version", 0);
            return create(list, version, root.SortedById("entries", shape.Read, shape.IdOf));
        });
}
