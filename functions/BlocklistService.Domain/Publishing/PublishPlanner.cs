using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Publishing;

/// <summary>
/// Plans the next version of a list from the pending journal items and the due expiries. Pure and deterministic:
/// the same input gives the same plan, and its cost is proportional to the number of items and expiries, never to
/// the size of the list.
/// </summary>
public static class PublishPlanner
{
    /// <summary>Plans version <c>CurrentVersion + 1</c>.</summary>
    public static PublishPlan Plan(PlanInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var version = input.CurrentVersion + 1;
        var now = input.Now;
        var working = new Dictionary<EntryId, EntryState>(input.Entries);
        var before = new Dictionary<EntryId, EntryState?>();
        var initialRows = new HashSet<DueExpiry>();
        var leaves = new List<PlannedLeaf>();
        var publications = new List<ItemPublication>();

        void Touch(EntryId id)
        {
            if (before.ContainsKey(id))
            {
                return;
            }

            working.TryGetValue(id, out var state);
            before[id] = state;
            if (state is not null)
            {
                foreach (var backing in state.Backings)
                {
                    initialRows.Add(new DueExpiry(id, backing.Hotline, backing.ReviewBy));
                }
            }
        }

        foreach (var due in input.DueExpiries
                     .OrderBy(d => d.ReviewBy)
                     .ThenBy(d => d.Id.Hex, StringComparer.Ordinal)
                     .ThenBy(d => d.Hotline, StringComparer.Ordinal))
        {
            Touch(due.Id);
            initialRows.Add(due);
            if (!working.TryGetValue(due.Id, out var state) || due.ReviewBy > now)
            {
                continue;
            }

            var backing = state.BackingOf(due.Hotline);
            if (backing is null || backing.ReviewBy != due.ReviewBy)
            {
                continue; // a stale index row: the backing was withdrawn or re-verified since
            }

            var after = state with { Backings = Without(state.Backings, due.Hotline) };
            working[due.Id] = after;
            leaves.Add(Leaf(LeafKind.Expire, input.List, version, after, backing, now, after.IsListed, null, null));
        }

        foreach (var item in input.Items
                     .OrderBy(i => i.Accepted)
                     .ThenBy(i => i.SubmissionId, StringComparer.Ordinal)
                     .ThenBy(i => i.Index))
        {
            Touch(item.Id);
            working.TryGetValue(item.Id, out var state);
            if (item.Action == JournalAction.Add)
            {
                state ??= new EntryState(item.Id, item.Expression, item.Scope, item.Category, [], null, null);
                var backing = new Backing(item.Hotline, item.Reference, item.VerifiedAt, item.ReviewBy, item.SubmissionId, item.Index);
                var after = state with { Backings = With(state.Backings, backing) };
                working[item.Id] = after;
                leaves.Add(Leaf(LeafKind.Add, input.List, version, after, backing, now, true, item.SubmissionId, item.Index));
                publications.Add(new ItemPublication(item.SubmissionId, item.Index, input.List, version, PublicationOutcome.Applied));
                continue;
            }

            var existing = state?.BackingOf(item.Hotline);
            if (state is null || existing is null)
            {
                publications.Add(new ItemPublication(item.SubmissionId, item.Index, input.List, version, PublicationOutcome.NotBacked));
                continue;
            }

            var removed = state with { Backings = Without(state.Backings, item.Hotline) };
            working[item.Id] = removed;
            var kind = removed.IsListed ? LeafKind.Withdraw : LeafKind.Remove;
            var withdrawal = existing with { Reference = item.Reference, SubmissionId = item.SubmissionId, ItemIndex = item.Index };
            leaves.Add(Leaf(kind, input.List, version, removed, withdrawal, now, removed.IsListed, item.SubmissionId, item.Index));
            publications.Add(new ItemPublication(item.SubmissionId, item.Index, input.List, version, PublicationOutcome.Applied));
        }

        var listed = new List<ListEntry>();
        var unlisted = new List<EntryId>();
        var writes = new List<EntryState>();
        var finalRows = new HashSet<DueExpiry>();
        foreach (var (id, old) in before.OrderBy(p => p.Key.Hex, StringComparer.Ordinal))
        {
            if (!working.TryGetValue(id, out var state))
            {
                continue;
            }

            foreach (var backing in state.Backings)
            {
                finalRows.Add(new DueExpiry(id, backing.Hotline, backing.ReviewBy));
            }

            var wasListed = old?.IsListed ?? false;
            if (!wasListed && state.IsListed)
            {
                state = state with { AddedIn = version };
                listed.Add(state.ToListEntry());
            }
            else if (wasListed && !state.IsListed)
            {
                state = state with { RemovedIn = version };
                unlisted.Add(id);
            }

            if (old is null || !SameBackings(old.Backings, state.Backings))
            {
                writes.Add(state);
            }
        }

        return new PublishPlan
        {
            List = input.List,
            Version = version,
            Created = now,
            Expires = now + input.ManifestLifetime,
            Listed = listed,
            Unlisted = unlisted,
            Count = input.CurrentCount + listed.Count - unlisted.Count,
            Leaves = leaves,
            EntryWrites = writes,
            ExpiryRowsAdded = SortRows(finalRows.Except(initialRows)),
            ExpiryRowsDeleted = SortRows(initialRows.Except(finalRows)),
            Publications = publications,
            ConsumedSubmissions = input.PendingSubmissions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
        };
    }

    private static PlannedLeaf Leaf(
        LeafKind kind, string list, long version, EntryState entry, Backing backing, DateTimeOffset at, bool listedAfter,
        string? submissionId, int? index) =>
        new(kind, list, version, entry.Id, entry.Expression, entry.Scope, entry.Category, backing.Hotline, backing.Reference, at,
            kind == LeafKind.Add ? backing.ReviewBy : null, listedAfter, submissionId, index);

    private static IReadOnlyList<Backing> With(IReadOnlyList<Backing> backings, Backing backing) =>
        Without(backings, backing.Hotline).Append(backing).OrderBy(b => b.Hotline, StringComparer.Ordinal).ToList();

    private static IReadOnlyList<Backing> Without(IReadOnlyList<Backing> backings, string hotline) =>
        backings.Where(b => !string.Equals(b.Hotline, hotline, StringComparison.Ordinal)).ToList();

    private static bool SameBackings(IReadOnlyList<Backing> a, IReadOnlyList<Backing> b) => a.SequenceEqual(b);

    private static IReadOnlyList<DueExpiry> SortRows(IEnumerable<DueExpiry> rows) =>
        rows.OrderBy(r => r.ReviewBy).ThenBy(r => r.Id.Hex, StringComparer.Ordinal).ThenBy(r => r.Hotline, StringComparer.Ordinal).ToList();
}
