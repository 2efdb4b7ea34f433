using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Publishing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Decisions;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Publishing;

/// <summary>How an emergency revert went.</summary>
public enum RevertOutcome
{
    Published,
    UnknownList,

    /// <summary><c>toVersion</c> is not an earlier published version of the list.</summary>
    NotAnEarlierVersion,

    /// <summary>Another publisher took the list's next version first; the revert may be repeated.</summary>
    LostRace,
}

public sealed record RevertResult(RevertOutcome Outcome, long Version, string? StateHash, int Listed, int Unlisted, LoggedDecision? Decision);

/// <summary>
/// What a revert to <see cref="ToVersion"/> would do now, read-only: the list's current version, the entries it would
/// list again and delist, the entry count and state hash the new version would have. A confirmation shows it before
/// the revert is sent; the revert itself recomputes it against the head it claims.
/// </summary>
public sealed record RevertPreview(RevertOutcome Outcome, long Version, long ToVersion, int Listed, int Unlisted, int Count, string? StateHash);

/// <summary>
/// Emergency revert: publishes at once a new version of a list whose entries are exactly those of an earlier version
/// (same LtHash16 state hash), as a signed delta, bypassing the change guard and any hold but not the log: a
/// <c>revert</c> decision leaf first, then the version's leaves (<see cref="RevertPlanner"/>). Entries listed again
/// get back the backings they had at that version, read from their log history. Holds of the list are superseded;
/// their items stay pending and are planned against the reverted state in the next cycle.
/// </summary>
public sealed class ListReverter(IRowStore rows, PublishRunner runner, HoldDesk holds, DecisionLog decisions, PublishStorageNames names, TimeProvider time, IOptions<PublishingOptions> options)
{
    public async Task<RevertResult> RevertAsync(string list, long toVersion, string reason, DecisionActor actor, CancellationToken cancellationToken)
    {
        if (!ListName.TryParse(list, out var name) || await runner.HeadAsync(list, cancellationToken) is not { } head)
        {
            return new RevertResult(RevertOutcome.UnknownList, 0, null, 0, 0, null);
        }

        // finish a version another publisher has in flight, so the revert builds on a committed head
        if (head.InFlightPlan is not null)
        {
            await runner.PublishListAsync(list, cancellationToken);
            head = (await runner.HeadAsync(list, cancellationToken))!;
        }

        var version = head.Version;
        if (toVersion < 1 || toVersion >= version)
        {
            return new RevertResult(RevertOutcome.NotAnEarlierVersion, version, null, 0, 0, null);
        }

        var current = await runner.StateAtAsync(name, version, cancellationToken);
        var target = await runner.StateAtAsync(name, toVersion, cancellationToken);
        var unlist = new List<EntryState>();
        foreach (var id in current.Ids.Where(id => !target.Contains(id)))
        {
            unlist.Add(await runner.EntryAsync(list, id, cancellationToken) ?? throw new InvalidOperationException($"listed entry {id.Hex} of '{list}' has no entry row"));
        }

        var logSize = (await runner.Log.GetHeadAsync(cancellationToken)).Size;
        var relist = new List<RestoredEntry>();
        foreach (var entry in target.Entries.Where(e => !current.Contains(e.Id)))
        {
            relist.Add(new RestoredEntry(entry, await runner.EntryAsync(list, entry.Id, cancellationToken), await BackingsAtAsync(name, entry.Id, toVersion, logSize, cancellationToken)));
        }

        var touched = unlist.Select(e => e.Id).Concat(relist.Select(r => r.Entry.Id)).ToList();
        var logged = await decisions.AppendAsync(DecisionLog.NewId(DecisionKind.Revert), DecisionKind.Revert, actor, reason, new DecisionSubject
        {
            List = name,
            Version = version + 1,
            ToVersion = toVersion,
            Entries = touched.Count <= DecisionSubject.MaxEntries ? touched : [],
        }, cancellationToken);

        var plan = RevertPlanner.Plan(new RevertInput(list, version, head.EntryCount, time.GetUtcNow(), options.Value.ManifestLifetime, toVersion, unlist, relist));
        var document = runner.DocumentFor(head, plan);
        if (LtHash16.FromBytes(document.Checksum).Value.StateHash != target.StateHash)
        {
            throw new InvalidOperationException($"the revert of '{list}' to version {toVersion} would not give its state hash; the entries table disagrees with the artifacts");
        }

        var published = await runner.ClaimAndExecuteAsync(list, head, document, cancellationToken);
        if (published.Outcome is not (ListPublishOutcome.Published or ListPublishOutcome.Resumed))
        {
            return new RevertResult(RevertOutcome.LostRace, version, null, 0, 0, logged);
        }

        await holds.SupersedeAsync(list, cancellationToken);
        return new RevertResult(RevertOutcome.Published, published.Version, target.StateHash, relist.Count, unlist.Count, logged);
    }

    /// <summary>
    /// The revert to <paramref name="toVersion"/> as it would be planned now (<see cref="RevertOutcome.Published"/> when
    /// possible), without writing anything. A version in flight is not finished here, so its head is the last committed one.
    /// </summary>
    public async Task<RevertPreview> PreviewAsync(string list, long toVersion, CancellationToken cancellationToken)
    {
        if (!ListName.TryParse(list, out var name) || await runner.HeadAsync(list, cancellationToken) is not { } head)
        {
            return new RevertPreview(RevertOutcome.UnknownList, 0, toVersion, 0, 0, 0, null);
        }

        var version = head.Version;
        if (toVersion < 1 || toVersion >= version)
        {
            return new RevertPreview(RevertOutcome.NotAnEarlierVersion, version, toVersion, 0, 0, 0, null);
        }

        var current = await runner.StateAtAsync(name, version, cancellationToken);
        var target = await runner.StateAtAsync(name, toVersion, cancellationToken);
        return new RevertPreview(RevertOutcome.Published, version, toVersion,
            target.Ids.Count(id => !current.Contains(id)), current.Ids.Count(id => !target.Contains(id)), target.Count, target.StateHash);
    }

    /// <summary>The backings an entry had in <paramref name="list"/> at <paramref name="toVersion"/>, replayed from its log history.</summary>
    private async Task<IReadOnlyList<Backing>> BackingsAtAsync(ListName list, EntryId id, long toVersion, long logSize, CancellationToken cancellationToken)
    {
        var (from, to) = LogLayout.HistoryRange(id.Hex);
        var indexes = new List<long>();
        await foreach (var row in rows.QueryAsync(names.LogHistory, LogLayout.HistoryPartition(id.Hex), from, to, cancellationToken))
        {
            indexes.AddRange(LogLayout.HistoryIndexes(row).Where(i => i < logSize));
        }

        var backings = new Dictionary<string, LogLeaf>(StringComparer.Ordinal);
        foreach (var index in indexes.Order())
        {
            var bytes = (await runner.Log.GetLeavesAsync(index, 1, cancellationToken)).Single();
            if (TransparencyLeaf.Parse(bytes).Value.Change is not { } change || change.List != list || change.Version > toVersion || change.EntryId != id)
            {
                continue;
            }

            if (change.Kind == LogLeafKind.Add)
            {
                backings[change.Hotline ?? string.Empty] = change;
            }
            else
            {
                backings.Remove(change.Hotline ?? string.Empty);
            }
        }

        // the item index is not in the log; -1 marks a backing restored by a revert
        return backings.Values.Select(l => new Backing(l.Hotline ?? string.Empty, l.Reference ?? string.Empty, l.VerifiedAt ?? l.PublishedAt,
            l.ReviewBy ?? JournalReader.NoReview, l.Submission ?? string.Empty, -1)).ToList();
    }
}
