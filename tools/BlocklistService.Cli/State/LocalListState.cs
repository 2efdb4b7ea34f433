using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.State;

/// <summary>
/// The last good state of one list on this machine: its name, version and entries, plus what was verified to get it
/// (the manifest's SHA-256 and state hash, and the 2048-byte LtHash16 checksum behind it, so the next delta is checked
/// without rehashing the whole list) and when it was applied. Exports and <c>check</c> read it; sync writes it.
/// </summary>
/// <remarks><see cref="Entries"/> may be read from the state file as it is enumerated (once), so a million-entry list
/// is not held in memory; <see cref="Count"/> is known without enumerating.</remarks>
public sealed record LocalListState(
    ListName List,
    long Version,
    IEnumerable<ListEntry> Entries,
    DateTimeOffset AppliedAt,
    string? StateHash = null,
    string? ManifestSha256 = null,
    byte[]? Checksum = null,
    ListFeed Feed = ListFeed.Plain)
{
    /// <summary>The number of entries.</summary>
    public int Count => Entries is IReadOnlyCollection<ListEntry> collection ? collection.Count : Entries.Count();
}

/// <summary>The entries of a state file, read (and checked to the end) each time they are enumerated.</summary>
public sealed class StateFileEntries(string path, ListName list, long count) : IReadOnlyCollection<ListEntry>
{
    public int Count { get; } = checked((int)count);

    public IEnumerator<ListEntry> GetEnumerator()
    {
        using var reader = StateFileReader.Open(path, list);
        while (reader.Next())
        {
            yield return reader.ToEntry();
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
