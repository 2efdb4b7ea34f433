using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Publishing;

/// <summary>
/// What planning one version reads: the list's current version and count, the journaled items of the pending
/// submissions, the due expiry-index rows and the stored state of exactly the entries those touch.
/// </summary>
public sealed record PlanInput(
    string List,
    long CurrentVersion,
    long CurrentCount,
    DateTimeOffset Now,
    TimeSpan ManifestLifetime,
    IReadOnlyList<string> PendingSubmissions,
    IReadOnlyList<PendingChange> Items,
    IReadOnlyList<DueExpiry> DueExpiries,
    IReadOnlyDictionary<EntryId, EntryState> Entries);
