using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Publishing;

/// <summary>The kind of backing change a transparency-log leaf records. Wire names are lowercase.</summary>
public enum LeafKind
{
    /// <summary>A hotline backed the entry or re-verified its backing.</summary>
    Add,

    /// <summary>A hotline withdrew its backing; other hotlines still back the entry, so it stays listed.</summary>
    Withdraw,

    /// <summary>A hotline withdrew the last backing; the entry is no longer listed.</summary>
    Remove,

    /// <summary>A backing passed its review-by date without re-verification.</summary>
    Expire,
}

/// <summary>
/// One backing change that reached a version, in the order the planner applied them. The runner turns each into
/// a transparency-log leaf.
/// </summary>
public sealed record PlannedLeaf(
    LeafKind Kind,
    string List,
    long Version,
    EntryId Id,
    string Expression,
    EntryScope Scope,
    string Category,
    string Hotline,
    string Reference,
    DateTimeOffset At,
    DateTimeOffset? ReviewBy,
    bool ListedAfter,
    string? SubmissionId,
    int? ItemIndex);
