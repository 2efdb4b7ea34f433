using System.Security.Cryptography;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Sync;

/// <summary>
/// The list sync works on: entries by id, the running LtHash16 checksum, and the manifest the version came from.
/// A delta is checked completely (<see cref="CheckDelta"/>) before <see cref="Apply"/> changes anything, so a bad
/// delta never leaves a half-applied list.
/// </summary>
public sealed class HeldList
{
    private readonly Dictionary<EntryId, ListEntry> _entries;

    private HeldList(ListName list, long version, Dictionary<EntryId, ListEntry> entries, LtHash16 checksum, byte[]? manifest)
    {
        List = list;
        Version = version;
        _entries = entries;
        Checksum = checksum;
        Manifest = manifest;
    }

    public ListName List { get; }

    /// <summary>0 = nothing held yet.</summary>
    public long Version { get; private set; }

    public int Count => _entries.Count;

    public LtHash16 Checksum { get; private set; }

    /// <summary>The exact bytes of the manifest this version was accepted under (null for version 0, or if not on disk).</summary>
    public byte[]? Manifest { get; private set; }

    /// <summary>SHA-256 (hex) of <see cref="Manifest"/>, or of the manifest the local state names.</summary>
    public string? ManifestSha256 { get; private set; }

    public static HeldList Empty(ListName list) => new(list, 0, [], new LtHash16(), null);

    /// <summary>
    /// The list from its local state. The stored checksum is used when it matches the stored state hash (then a delta
    /// costs the change, not the list); otherwise it is recomputed from the ids.
    /// </summary>
    public static HeldList FromLocal(LocalListState state, byte[]? manifest)
    {
        var entries = new Dictionary<EntryId, ListEntry>(state.Entries.Count);
        foreach (var entry in state.Entries)
        {
            entries[entry.Id] = entry;
        }

        LtHash16? checksum = null;
        if (state.Checksum is { } bytes && state.StateHash is { } hash && LtHash16.FromBytes(bytes).TryGetValue(out var stored) && stored.StateHash == hash)
        {
            checksum = stored;
        }

        checksum ??= LtHash16.Of(entries.Keys);
        return new HeldList(state.List, state.Version, entries, checksum, manifest) { ManifestSha256 = state.ManifestSha256 };
    }

    /// <summary>The list a snapshot describes (its checksum computed from every id).</summary>
    public static HeldList FromSnapshot(Snapshot snapshot, byte[] manifest)
    {
        var entries = new Dictionary<EntryId, ListEntry>(snapshot.Entries.Count);
        foreach (var entry in snapshot.Entries)
        {
            entries[entry.Id] = entry;
        }

        var held = new HeldList(snapshot.List, snapshot.Version, entries, LtHash16.Of(entries.Keys), null);
        held.Accept(manifest);
        return held;
    }

    /// <summary>
    /// Null when <paramref name="delta"/> applies to this list (same list, from this version, every removed id held,
    /// every added id absent once the removes are done), with the checksum it would produce; otherwise why not.
    /// </summary>
    public string? CheckDelta(Delta delta, out LtHash16 after)
    {
        after = Checksum;
        if (delta.List != List)
        {
            return $"the delta is for list '{delta.List}', not '{List}'";
        }

        if (delta.FromVersion != Version)
        {
            return $"the delta applies to version {delta.FromVersion}, the list is at version {Version}";
        }

        var removed = new HashSet<EntryId>(delta.Removes.Count);
        foreach (var id in delta.Removes)
        {
            if (!_entries.ContainsKey(id))
            {
                return $"the delta removes {id}, which is not listed";
            }

            removed.Add(id);
        }

        foreach (var entry in delta.Adds)
        {
            if (_entries.ContainsKey(entry.Id) && !removed.Contains(entry.Id))
            {
                return $"the delta adds {entry.Id}, which is already listed";
            }
        }

        after = Checksum.Clone();
        foreach (var id in delta.Removes)
        {
            after.Remove(id);
        }

        foreach (var entry in delta.Adds)
        {
            after.Add(entry.Id);
        }

        return null;
    }

    /// <summary>Applies a delta <see cref="CheckDelta"/> accepted, with the checksum it returned, under its manifest.</summary>
    public void Apply(Delta delta, LtHash16 after, byte[] manifest)
    {
        foreach (var id in delta.Removes)
        {
            _entries.Remove(id);
        }

        foreach (var entry in delta.Adds)
        {
            _entries[entry.Id] = entry;
        }

        Checksum = after;
        Version = delta.ToVersion;
        Accept(manifest);
    }

    /// <summary>The local state to write.</summary>
    public LocalListState ToLocal(DateTimeOffset appliedAt) =>
        new(List, Version, _entries.Values.ToList(), appliedAt, Checksum.StateHash, ManifestSha256, Checksum.ToBytes());

    private void Accept(byte[] manifest)
    {
        Manifest = manifest;
        ManifestSha256 = Convert.ToHexStringLower(SHA256.HashData(manifest));
    }
}
