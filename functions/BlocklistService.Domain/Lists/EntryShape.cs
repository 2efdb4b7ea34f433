using System.Text.Json;
using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// How one feed writes and reads a listed entry inside its artifacts: the plain feed's <see cref="ListEntry"/> (with
/// its expression) or the hashed feed's <see cref="HashedEntry"/> (id, scope and category only). The delta and
/// snapshot bodies (<see cref="DeltaJson"/>, <see cref="SnapshotJson"/>) are the same for both feeds but for this.
/// </summary>
internal sealed class EntryShape<TEntry>(Action<Utf8JsonWriter, TEntry> write, Func<JsonElement, string, TEntry> read, Func<TEntry, EntryId> id)
{
    public void Write(Utf8JsonWriter writer, TEntry entry) => write(writer, entry);

    /// <summary>Reads one entry object at <paramref name="path"/>; a problem is an <see cref="ArtifactFormatException"/>.</summary>
    public TEntry Read(JsonElement element, string path) => read(element, path);

    public EntryId IdOf(TEntry entry) => id(entry);
}

/// <summary>The two entry shapes the feeds use.</summary>
internal static class EntryShapes
{
    public static readonly EntryShape<ListEntry> Plain = new(ArtifactJson.WriteEntry, JsonObjectReader.ReadEntry, entry => entry.Id);

    public static readonly EntryShape<HashedEntry> Hashed = new(ArtifactJson.WriteHashedEntry, JsonObjectReader.ReadHashedEntry, entry => entry.Id);
}
