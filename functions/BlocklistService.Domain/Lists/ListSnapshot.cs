namespace BlocklistService.Domain.Lists;

/// <summary>
/// What a snapshot of either feed holds (<see cref="Snapshot"/>, <see cref="HashedSnapshot"/>): the list, its version
/// and every listed entry (in the feed's entry type), sorted by id.
/// </summary>
public abstract class ListSnapshot<TEntry>
{
    private protected ListSnapshot(ListName list, long version, TEntry[] entries)
    {
        List = list;
        Version = version;
        Entries = entries;
    }

    public ListName List { get; }

    public long Version { get; }

    /// <summary>Every listed entry, sorted by id.</summary>
    public IReadOnlyList<TEntry> Entries { get; }

    /// <summary>Canonical JSON bytes.</summary>
    public abstract byte[] ToJson();

    /// <summary>The stored form: gzip of <see cref="ToJson"/>.</summary>
    public byte[] ToGzip() => ArtifactJson.Gzip(ToJson());
}
