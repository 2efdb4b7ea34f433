using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;

namespace BlocklistService.Domain.Publishing;

/// <summary>
/// One backing change that reached a version, in the order the planner applied them. The runner appends each to the
/// transparency log as the <see cref="LogLeaf"/> of <see cref="ToLogLeaf"/>.
/// </summary>
public sealed record PlannedLeaf(
    LogLeafKind Kind,
    string List,
    long Version,
    EntryId Id,
    string Expression,
    EntryScope Scope,
    string Category,
    string Hotline,
    string Reference,
    DateTimeOffset VerifiedAt,
    IReadOnlyList<string> VerifiedBy,
    DateTimeOffset At,
    DateTimeOffset? ReviewBy,
    bool ListedAfter,
    string? SubmissionId,
    int? ItemIndex,
    string? Reason = null)
{
    /// <summary>The reason an expiry leaf states.</summary>
    public const string ExpiryReason = "review-by passed";

    /// <summary>The leaf as the log records it (<c>blocklist-log-leaf/1</c>); <see cref="At"/> is the publication time.</summary>
    public LogLeaf ToLogLeaf() => new()
    {
        Kind = Kind,
        List = ListName.Parse(List),
        Version = Version,
        EntryId = Id,
        Expression = Expression,
        Scope = Scope,
        Category = Category,
        Hotline = Hotline,
        Reference = Reference,
        VerifiedAt = VerifiedAt,
        VerifiedBy = VerifiedBy,
        ReviewBy = ReviewBy,
        Submission = SubmissionId,
        Reason = Reason ?? (Kind == LogLeafKind.Expire ? ExpiryReason : null),
        PublishedAt = At,
    };

    /// <summary>The canonical leaf bytes (what the Merkle tree hashes).</summary>
    public byte[] ToLeafBytes() => ToLogLeaf().ToJson();
}
