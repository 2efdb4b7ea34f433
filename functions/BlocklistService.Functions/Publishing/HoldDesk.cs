using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Publishing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Decisions;
using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Publishing;

/// <summary>A version the change guard held: what it would change, the digest of that change set and its state.</summary>
public sealed record Hold(
    string Id, string List, long Version, long Listed, long Unlisted, long Changes, long CountBefore, DateTimeOffset? Held, string Status, string? Digest,
    IReadOnlyList<string> Submissions);

/// <summary>A hold with its exact change set: counts, the entries that deserve a second look, and one page of every change.</summary>
public sealed record HoldDetail(
    Hold Hold, ChangeSetCounts Counts, IReadOnlyList<HeldChange> HostScope, IReadOnlyList<HeldChange> ProtectedHosts,
    IReadOnlyList<HeldChange> Changes, int Offset, int? NextOffset);

/// <summary>How an admin's decision on a hold went.</summary>
public enum HoldDecision
{
    Done,
    NotFound,
    AlreadyDecided,

    /// <summary>The <c>If-Match</c> digest is not the hold's: the admin saw another change set.</summary>
    StaleDigest,
}

/// <summary>What a rejection does with the held items.</summary>
public enum HoldRejection
{
    /// <summary>The items stay pending: the next cycle plans them again (and guards them again).</summary>
    KeepPending,

    /// <summary>The items are dropped from this list: their pending markers are deleted.</summary>
    Reject,
}

/// <summary>
/// The admin's side of the change guard (<c>holds</c> table, PK <c>hold</c>, RK <c>{list}-{version D12}</c>). A hold
/// names the plan document of the change set it stopped (<c>work/holds/{list}/{version}-{digest}.json</c>) and its
/// digest (<see cref="ChangeSet.Digest"/>). Approval, with the digest the admin saw, logs a <c>hold-approve</c>
/// decision, marks the hold approved and publishes exactly that plan (re-stamped to now); items that arrived later
/// stay pending for the next cycle. Rejection logs <c>hold-reject</c>, keeps the items pending or drops them, and
/// moves the hold to <c>{id}-rejected-{unix seconds}</c>, so the list's next version can be planned afresh.
/// </summary>
public sealed class HoldDesk(IRowStore rows, IBlobStore blobs, PublishRunner runner, DecisionLog decisions, ProtectedHosts protectedHosts, PublishStorageNames names, TimeProvider time)
{
    public const string Partition = HoldRows.Partition;
    public const string Held = "held";
    public const string Approved = "approved";
    public const string Rejected = "rejected";

    /// <summary>A hold whose list was published past it (an emergency revert); its items are planned again.</summary>
    public const string Superseded = "superseded";

    /// <summary>Largest page of a hold's change set.</summary>
    public const int MaxPage = 1000;

    public async Task<IReadOnlyList<Hold>> ListAsync(CancellationToken cancellationToken)
    {
        var holds = new List<Hold>();
        await foreach (var row in rows.QueryAsync(names.Holds, Partition, null, null, cancellationToken))
        {
            holds.Add(HoldRows.FromRow(row).Hold);
        }

        return holds.OrderByDescending(h => h.Held).ToList();
    }

    /// <summary>One hold with its change set from <paramref name="offset"/> (at most <paramref name="limit"/> changes); null when there is none.</summary>
    public async Task<HoldDetail?> GetAsync(string id, int offset, int limit, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(names.Holds, Partition, id, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var stored = HoldRows.FromRow(row);
        var hold = stored.Hold;
        var plan = await PlanOfAsync(stored, cancellationToken);
        if (plan is null)
        {
            // a hold recorded before holds kept their change set: counts only
            return new HoldDetail(hold, new ChangeSetCounts((int)hold.Changes, (int)hold.Listed, (int)hold.Unlisted, Empty, Empty, Empty), [], [], [], 0, null);
        }

        var changes = ChangeSet.Changes(plan.Leaves, protectedHosts);
        var page = changes.Skip(offset).Take(limit).ToList();
        return new HoldDetail(
            hold,
            ChangeSet.Count(plan),
            changes.Where(c => c.Scope == EntryScope.Host.ToWireName()).ToList(),
            changes.Where(c => c.ProtectedHost).ToList(),
            page,
            offset,
            offset + page.Count < changes.Count ? offset + page.Count : null);
    }

    public async Task<(HoldDecision Decision, Hold? Hold, ListPublishResult? Published, LoggedDecision? Logged)> ApproveAsync(
        string id, string digest, string reason, DecisionActor actor, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(names.Holds, Partition, id, cancellationToken);
        if (row is null)
        {
            return (HoldDecision.NotFound, null, null, null);
        }

        var stored = HoldRows.FromRow(row);
        var hold = stored.Hold;
        if (hold.Status != Held)
        {
            return (HoldDecision.AlreadyDecided, hold, null, null);
        }

        if (hold.Digest is null || !string.Equals(hold.Digest, digest, StringComparison.Ordinal))
        {
            return (HoldDecision.StaleDigest, hold, null, null);
        }

        var plan = await PlanOfAsync(stored, cancellationToken);
        var logged = await decisions.AppendAsync($"hold-approve-{id}-{stored.InstanceKey}", DecisionKind.HoldApprove, actor, reason,
            Subject(hold, plan, null), cancellationToken);
        try
        {
            await rows.UpdateAsync(names.Holds, HoldRows.ToRow(stored.WithStatus(Approved)), stored.ETag, cancellationToken);
        }
        catch (RowConflictException)
        {
            // decided meanwhile (another admin, or this request retried): report what stands
            var now = await rows.GetAsync(names.Holds, Partition, id, cancellationToken) is { } found ? HoldRows.FromRow(found).Hold : null;
            return now is null || now.Status != Approved ? (HoldDecision.AlreadyDecided, now ?? hold, null, logged) : (HoldDecision.Done, now, null, logged);
        }

        var published = await runner.PublishListAsync(hold.List, cancellationToken);
        return (HoldDecision.Done, hold with { Status = Approved }, published, logged);
    }

    public async Task<(HoldDecision Decision, Hold? Hold, LoggedDecision? Logged)> RejectAsync(
        string id, string digest, string reason, HoldRejection rejection, DecisionActor actor, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(names.Holds, Partition, id, cancellationToken);
        if (row is null)
        {
            return (HoldDecision.NotFound, null, null);
        }

        var stored = HoldRows.FromRow(row);
        var hold = stored.Hold;
        if (hold.Status != Held)
        {
            return (HoldDecision.AlreadyDecided, hold, null);
        }

        if (hold.Digest is not null && !string.Equals(hold.Digest, digest, StringComparison.Ordinal))
        {
            return (HoldDecision.StaleDigest, hold, null);
        }

        var plan = await PlanOfAsync(stored, cancellationToken);
        var disposition = rejection == HoldRejection.Reject ? "reject" : "keep-pending";
        var logged = await decisions.AppendAsync($"hold-reject-{id}-{stored.InstanceKey}", DecisionKind.HoldReject, actor, reason,
            Subject(hold, plan, disposition), cancellationToken);

        // archive first, then drop the items (if asked), then free the version: a crash in between leaves the hold
        // held, and repeating the same decision finishes the steps
        var rejected = stored.WithStatus(Rejected);
        rejected = rejected with { Hold = rejected.Hold with { Id = HoldRows.RejectedRowKey(id, time.GetUtcNow()) } };
        await rows.UpsertAsync(names.Holds, [HoldRows.ToRow(rejected)], cancellationToken);
        if (rejection == HoldRejection.Reject)
        {
            // the submissions' status says why their items never appear (rejected by this hold), before the markers go
            foreach (var submission in hold.Submissions)
            {
                await rows.UpsertAsync(names.Publications, [PublicationRows.ToRow(submission, new HoldDrop(hold.List, id))], cancellationToken);
            }

            await rows.DeleteAsync(names.Pending, hold.Submissions.Select(s => (hold.List, s)).ToList(), cancellationToken);
        }

        await rows.DeleteAsync(names.Holds, [(Partition, id)], cancellationToken);
        return (HoldDecision.Done, rejected.Hold, logged);
    }

    /// <summary>Marks every held hold of <paramref name="list"/> superseded (the list was published past it); their items stay pending.</summary>
    public async Task SupersedeAsync(string list, CancellationToken cancellationToken)
    {
        await foreach (var row in rows.QueryAsync(names.Holds, Partition, null, null, cancellationToken))
        {
            var stored = HoldRows.FromRow(row);
            if (stored.Hold.List == list && stored.Hold.Status == Held)
            {
                try
                {
                    await rows.UpdateAsync(names.Holds, HoldRows.ToRow(stored.WithStatus(Superseded)), stored.ETag, cancellationToken);
                }
                catch (RowConflictException)
                {
                    // decided meanwhile
                }
            }
        }
    }

    private async Task<PublishPlan?> PlanOfAsync(StoredHold hold, CancellationToken cancellationToken) =>
        hold.PlanName is { } name && await blobs.GetAsync(names.WorkContainer, name, cancellationToken) is { } blob
            ? PlanDocument.FromJson(blob.Content).Plan
            : null;

    private static DecisionSubject Subject(Hold hold, PublishPlan? plan, string? disposition)
    {
        var entries = plan?.Leaves.Select(l => l.Id).Distinct().ToList() ?? [];
        return new DecisionSubject
        {
            List = ListName.TryParse(hold.List, out var list) ? list : null,
            Version = hold.Version,
            Hold = hold.Id,
            Digest = hold.Digest,

            // the digest names the whole set; the entries (when few enough) put the decision in each entry's history
            Entries = entries.Count <= DecisionSubject.MaxEntries ? entries : [],
            Disposition = disposition,
        };
    }

    private static readonly IReadOnlyDictionary<string, int> Empty = new Dictionary<string, int>();
}
