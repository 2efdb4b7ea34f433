using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// A list as a client or the publisher holds it: its version, its entries by id and the running LtHash16 checksum.
/// Entries are kept compactly (raw 32-byte ids, shared category strings) so a million-entry list fits comfortably
/// in memory. <see cref="Apply"/> validates a whole delta before changing anything, so a bad delta never leaves
/// a half-applied state. Not thread-safe.
/// </summary>
public sealed class ListState
{
    private readonly Dictionary<EntryKey, StoredEntry> _entries;
    private readonly Dictionary<string, string> _categories;
    private LtHash16 _checksum;

    private ListState(ListName list, long version, Dictionary<EntryKey, StoredEntry> entries, Dictionary<string, string> categories, LtHash16 checksum)
    {
        List = list;
        Version = version;
        _entries = entries;
        _categories = categories;
        _checksum = checksum;
    }

    public ListName List { get; }

    /// <summary>The version held; 0 is the empty list before version 1.</summary>
    public long Version { get; private set; }

    public int Count => _entries.Count;

    /// <summary>A copy of the running checksum.</summary>
    public LtHash16 Checksum => _checksum.Clone();

    /// <summary>The state hash of the entries held (what the manifest of <see cref="Version"/> must state).</summary>
    public string StateHash => _checksum.StateHash;

    /// <summary>The ids held, in no particular order.</summary>
    public IEnumerable<EntryId> Ids => _entries.Keys.Select(key => key.ToEntryId());

    /// <summary>The entries held, in no particular order.</summary>
    public IEnumerable<ListEntry> Entries => _entries.Select(pair => pair.Value.ToListEntry(pair.Key.ToEntryId()));

    /// <summary>The empty list before its first version.</summary>
    public static ListState Empty(ListName list) => new(list, 0, [], new(StringComparer.Ordinal), new LtHash16());

    /// <summary>A state holding <paramref name="entries"/> at <paramref name="version"/>; fails on a duplicate id.</summary>
    public static Result<ListState> FromEntries(ListName list, long version, IEnumerable<ListEntry> entries)
    {
        if (version < 0)
        {
            return Result<ListState>.Failure("version: must not be negative");
        }

        var state = new ListState(list, version, new Dictionary<EntryKey, StoredEntry>(entries.TryGetNonEnumeratedCount(out var n) ? n : 0), new(StringComparer.Ordinal), new LtHash16());
        foreach (var entry in entries)
        {
            if (!state._entries.TryAdd(EntryKey.From(entry.Id), state.Store(entry)))
            {
                return Result<ListState>.Failure($"entries: id {entry.Id} appears twice");
            }
        }

        state._checksum.Update([], state._entries.Keys.ToList());
        return Result<ListState>.Success(state);
    }

    /// <summary>The state a snapshot describes.</summary>
    public static Result<ListState> FromSnapshot(Snapshot snapshot) => FromEntries(snapshot.List, snapshot.Version, snapshot.Entries);

    public bool Contains(EntryId id) => _entries.ContainsKey(EntryKey.From(id));

    public bool TryGetEntry(EntryId id, out ListEntry entry)
    {
        if (_entries.TryGetValue(EntryKey.From(id), out var stored))
        {
            entry = stored.ToListEntry(id);
            return true;
        }

        entry = null!;
        return false;
    }

    /// <summary>
    /// Checks that <paramref name="delta"/> applies to this state (same list, from this version, every removed id
    /// held, every added id absent once the removes are done) and returns the checksum it would produce, without
    /// changing anything. Cost: one SHAKE128 per change. A client compares the result with the manifest first.
    /// </summary>
    public Result<LtHash16> ChecksumAfter(Delta delta)
    {
        var problem = Validate(delta);
        if (problem is not null)
        {
            return Result<LtHash16>.Failure(problem);
        }

        var checksum = _checksum.Clone();
        checksum.Update(delta.Removes.Select(EntryKey.From).ToList(), delta.Adds.Select(entry => EntryKey.From(entry.Id)).ToList());
        return Result<LtHash16>.Success(checksum);
    }

    /// <summary>
    /// Applies <paramref name="delta"/> in place and returns this state, or fails without changing anything
    /// (wrong list, wrong version, removing an absent id, adding a present one).
    /// </summary>
    public Result<ListState> Apply(Delta delta)
    {
        var after = ChecksumAfter(delta);
        if (!after.IsSuccess)
        {
            return Result<ListState>.Failure(after.Error!);
        }

        foreach (var id in delta.Removes)
        {
            _entries.Remove(EntryKey.From(id));
        }

        foreach (var entry in delta.Adds)
        {
            _entries.Add(EntryKey.From(entry.Id), Store(entry));
        }

        _checksum = after.Value;
        Version = delta.ToVersion;
        return Result<ListState>.Success(this);
    }

    /// <summary>An independent copy (e.g. the last good state a client keeps while trying an update).</summary>
    public ListState Clone() =>
        new(List, Version, new Dictionary<EntryKey, StoredEntry>(_entries), new Dictionary<string, string>(_categories, StringComparer.Ordinal), _checksum.Clone());

    /// <summary>The snapshot of this state (entries sorted by id).</summary>
    public Snapshot ToSnapshot() => Snapshot.Create(List, Version, Entries);

    private string? Validate(Delta delta)
    {
        if (delta.List != List)
        {
            return $"list: the delta is for '{delta.List}', this state is '{List}'";
        }

        if (delta.FromVersion != Version)
        {
            return $"fromVersion: the delta applies to version {delta.FromVersion}, this state is at version {Version}";
        }

        var removed = new HashSet<EntryKey>(delta.Removes.Count);
        foreach (var id in delta.Removes)
        {
            var key = EntryKey.From(id);
            if (!_entries.ContainsKey(key))
            {
                return $"removes: id {id} is not listed";
            }

            removed.Add(key);
        }

        foreach (var entry in delta.Adds)
        {
            var key = EntryKey.From(entry.Id);
            if (_entries.ContainsKey(key) && !removed.Contains(key))
            {
                return $"adds: id {entry.Id} is already listed";
            }
        }

        return null;
    }

    private StoredEntry Store(ListEntry entry)
    {
        if (!_categories.TryGetValue(entry.Category, out var category))
        {
            category = entry.Category;
            _categories.Add(category, category);
        }

        return new StoredEntry(entry.Expression, entry.Scope, category);
    }

    private readonly record struct StoredEntry(string Expression, EntryScope Scope, string Category)
    {
        public ListEntry ToListEntry(EntryId id) => new(id, Expression, Scope, Category);
    }
}
