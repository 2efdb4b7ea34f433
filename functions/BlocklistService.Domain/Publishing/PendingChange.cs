using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Publishing;

/// <summary>What a journaled submission item asks of a list.</summary>
public enum JournalAction
{
    /// <summary>Back the entry (or re-verify an existing backing, which extends its review-by date).</summary>
    Add,

    /// <summary>Withdraw this hotline's backing.</summary>
    Remove,
}

/// <summary>
/// One accepted submission item for one list, as the publisher reads it from the journal: a change waiting for the
/// next version of that list (the request-side record with its outcome is <c>Ingest.SubmittedItem</c>). <see cref="Accepted"/> (the submission's
/// acceptance time) only orders items inside one version; which items are pending is decided by the pending
/// markers, never by a clock.
/// </summary>
public sealed record PendingChange(
    string SubmissionId,
    int Index,
    DateTimeOffset Accepted,
    JournalAction Action,
    EntryId Id,
    string Expression,
    EntryScope Scope,
    string Category,
    string Hotline,
    string Reference,
    DateTimeOffset VerifiedAt,
    DateTimeOffset ReviewBy,
    IReadOnlyList<string>? VerifiedBy = null);

/// <summary>A backing whose review-by date has passed, as the expiry index names it.</summary>
public sealed record DueExpiry(EntryId Id, string Hotline, DateTimeOffset ReviewBy);
