using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;

namespace BlocklistService.Domain.Publishing;

/// <summary>An entry to list again in a revert: what it was at the target version and the backings it had then.</summary>
public sealed record RestoredEntry(ListEntry Entry, EntryState? Current, IReadOnlyList<Backing> Backings);

/// <summary>What a revert starts from.</summary>
public sealed record RevertInput(
    string List,
    long CurrentVersion,
    long CurrentCount,
    DateTimeOffset Now,
    TimeSpan ManifestLifetime,
    long ToVersion,
    IReadOnlyList<EntryState> Unlist,
    IReadOnlyList<RestoredEntry> Relist);

/// <summary>
/// Plans an emergency revert (docs/protocol.md §10.2): the next version of a list whose entries are exactly those of an
/// earlier version. Entries listed now but not then lose every backing (a <c>withdraw</c> leaf per hotline, the last
/// one <c>remove</c>); entries listed then but not now get back the backings they had then (an <c>add</c> leaf each).
/// Every leaf says why (<see cref="ReasonFor"/>), so replaying the log still gives every manifest's state hash. Pure.
/// </summary>
public static class RevertPlanner
{
    public static string ReasonFor(long toVersion) => $"emergency revert to version {toVersion}";

    public static PublishPlan Plan(RevertInput input)
    {
        var version = input.CurrentVersion + 1;
        var reason = ReasonFor(input.ToVersion);
        var leaves = new List<PlannedLeaf>();
        var writes = new List<EntryState>();
        var expiriesDeleted = new List<DueExpiry>();
        var expiriesAdded = new List<DueExpiry>();

        foreach (var entry in input.Unlist.OrderBy(e => e.Id.Hex, StringComparer.Ordinal))
        {
            var backings = entry.Backings.OrderBy(b => b.Hotline, StringComparer.Ordinal).ToList();
            for (var i = 0; i < backings.Count; i++)
            {
                var last = i == backings.Count - 1;
                var b = backings[i];
                leaves.Add(new PlannedLeaf(last ? LogLeafKind.Remove : LogLeafKind.Withdraw, input.List, version, entry.Id, entry.Expression, entry.Scope,
                    entry.Category, b.Hotline, b.Reference, b.VerifiedAt, [], input.Now, null, !last, null, null, reason));
                expiriesDeleted.Add(new DueExpiry(entry.Id, b.Hotline, b.ReviewBy));
            }

            writes.Add(entry with { Backings = [], RemovedIn = version });
        }

        var listed = new List<ListEntry>();
        foreach (var restored in input.Relist.OrderBy(r => r.Entry.Id.Hex, StringComparer.Ordinal))
        {
            if (restored.Backings.Count == 0)
            {
                throw new ArgumentException($"entry {restored.Entry.Id.Hex} cannot be listed again without a backing", nameof(input));
            }

            var entry = restored.Entry;
            var backings = restored.Backings.OrderBy(b => b.Hotline, StringComparer.Ordinal).ToList();
            foreach (var b in backings)
            {
                leaves.Add(new PlannedLeaf(LogLeafKind.Add, input.List, version, entry.Id, entry.Expression, entry.Scope, entry.Category, b.Hotline, b.Reference,
                    b.VerifiedAt, [], input.Now, b.ReviewBy, true, b.SubmissionId, null, reason));
                expiriesAdded.Add(new DueExpiry(entry.Id, b.Hotline, b.ReviewBy));
            }

            listed.Add(entry);
            writes.Add(new EntryState(entry.Id, entry.Expression, entry.Scope, entry.Category, backings, version, restored.Current?.RemovedIn));
        }

        return new PublishPlan
        {
            List = input.List,
            Version = version,
            Created = input.Now,
            Expires = input.Now + input.ManifestLifetime,
            Listed = listed,
            Unlisted = input.Unlist.Select(e => e.Id).OrderBy(id => id.Hex, StringComparer.Ordinal).ToList(),
            Count = input.CurrentCount + listed.Count - input.Unlist.Count,
            Leaves = leaves,
            EntryWrites = writes.OrderBy(w => w.Id.Hex, StringComparer.Ordinal).ToList(),
            ExpiryRowsAdded = expiriesAdded,
            ExpiryRowsDeleted = expiriesDeleted,
            Publications = [],
            ConsumedSubmissions = [],
        };
    }
}
