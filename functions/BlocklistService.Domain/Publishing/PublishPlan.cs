using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Publishing;

/// <summary>
/// Everything one list version changes, fixed before anything is written: the version and its timestamps, the
/// delta (entries that became listed or unlisted), the count after it, the log leaves, the entry rows and
/// expiry-index rows to write, the publication of every journaled item and the pending markers it consumes.
/// Serialized to the plan blob, so any publisher can finish a plan another one started; every step of executing it
/// is a deterministic function of the plan.
/// </summary>
public sealed record PublishPlan
{
    public required string List { get; init; }

    public required long Version { get; init; }

    public required DateTimeOffset Created { get; init; }

    public required DateTimeOffset Expires { get; init; }

    /// <summary>Entries listed by this version (not listed before it), ordered by id.</summary>
    public required IReadOnlyList<ListEntry> Listed { get; init; }

    /// <summary>Ids unlisted by this version, ordered.</summary>
    public required IReadOnlyList<EntryId> Unlisted { get; init; }

    /// <summary>Listed entries after this version.</summary>
    public required long Count { get; init; }

    public required IReadOnlyList<PlannedLeaf> Leaves { get; init; }

    /// <summary>The new state of every entry whose backings changed, ordered by id.</summary>
    public required IReadOnlyList<EntryState> EntryWrites { get; init; }

    /// <summary>Expiry-index rows to create (new or extended backings).</summary>
    public required IReadOnlyList<DueExpiry> ExpiryRowsAdded { get; init; }

    /// <summary>Expiry-index rows to delete (backings removed, expired or re-verified to a new date).</summary>
    public required IReadOnlyList<DueExpiry> ExpiryRowsDeleted { get; init; }

    public required IReadOnlyList<ItemPublication> Publications { get; init; }

    /// <summary>Submission ids whose pending markers this version consumes.</summary>
    public required IReadOnlyList<string> ConsumedSubmissions { get; init; }

    /// <summary>Number of entries whose listed status changes.</summary>
    public int ChangeCount => Listed.Count + Unlisted.Count;
}
