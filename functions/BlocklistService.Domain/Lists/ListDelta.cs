using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// What a delta of either feed holds (<see cref="Delta"/>, <see cref="HashedDelta"/>): the list, the versions it
/// spans, and the adds (in the feed's entry type) and removed ids, both sorted by id.
/// </summary>
public abstract class ListDelta<TEntry>
{
    private protected ListDelta(ListName list, long fromVersion, long toVersion, TEntry[] adds, EntryId[] removes)
    {
        List = list;
        FromVersion = fromVersion;
        ToVersion = toVersion;
        Adds = adds;
        Removes = removes;
    }

    public ListName List { get; }

    /// <summary>The version this delta applies to (0 = the empty list before version 1).</summary>
    public long FromVersion { get; }

    /// <summary>The version it produces; greater than <see cref="FromVersion"/>.</summary>
    public long ToVersion { get; }

    /// <summary>Entries that become listed, sorted by id.</summary>
    public IReadOnlyList<TEntry> Adds { get; }

    /// <summary>Ids that stop being listed, sorted.</summary>
    public IReadOnlyList<EntryId> Removes { get; }

    /// <summary>Canonical JSON bytes.</summary>
    public abstract byte[] ToJson();

    /// <summary>The stored form: gzip of <see cref="ToJson"/>.</summary>
    public byte[] ToGzip() => ArtifactJson.Gzip(ToJson());
}
