using System.Text;
using System.Text.Json.Nodes;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Audit;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Decisions;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Redress;

/// <summary>What a decision request asks: uphold or dismiss, why, and the analyst who re-assessed the URL.</summary>
public sealed record AppealDecisionRequest(AppealStatus Outcome, string Reason, string Analyst);

/// <summary>The outcome of a decision request.</summary>
public abstract record DecideOutcome
{
    public sealed record Decided(Appeal Appeal) : DecideOutcome;

    /// <summary>No such appeal, or one the calling hotline backs no entry of.</summary>
    public sealed record NotFound : DecideOutcome;

    public sealed record AlreadyDecided(Appeal Appeal) : DecideOutcome;

    /// <summary>The analyst verified (or withdrew) one of the entries concerned: not an independent re-assessment.</summary>
    public sealed record AnalystWasVerifier(EntryId Entry) : DecideOutcome;

    /// <summary>Upholding needs a listed entry to withdraw.</summary>
    public sealed record NothingListed : DecideOutcome;
}

/// <summary>
/// Decides appeals. The decision is a <c>blocklist-decision/1</c> leaf (<c>appeal-uphold</c> / <c>appeal-dismiss</c>,
/// subject: the ticket, the entries concerned, and as <c>disposition</c> the re-assessing analyst's id), logged before
/// anything acts on it. Upholding then journals, for every hotline backing a concerned entry, the removal of its
/// backing (idempotency key <c>appeal-{ticket}</c>), so the next published version removes the entry and logs it.
/// A retry after a crash anywhere finds the logged decision and completes it, whatever the retry asks.
/// </summary>
public sealed class AppealDecisions(
    AppealDesk desk,
    IRowStore rows,
    IBlobStore blobs,
    PublishStorageNames names,
    ListCatalog lists,
    TransparencyLogReader log,
    SubmissionIngest ingest,
    DecisionLog decisions)
{
    public static string DecisionId(string ticket) => "appeal-" + ticket;

    public async Task<DecideOutcome> DecideAsync(string ticket, AppealDecisionRequest request, DecisionActor actor, CancellationToken cancellationToken)
    {
        var appeal = await desk.GetAsync(ticket, cancellationToken);
        if (appeal is null)
        {
            return new DecideOutcome.NotFound();
        }

        if (appeal.Status != AppealStatus.Open)
        {
            return appeal.Status == request.Outcome && appeal.Decision?.Analyst == request.Analyst
                ? new DecideOutcome.Decided(appeal) // the same request again: its answer again
                : new DecideOutcome.AlreadyDecided(appeal);
        }

        var listNames = (await lists.NamesAsync(cancellationToken)).Order(StringComparer.Ordinal).ToList();
        var concerns = await desk.ConcernsAsync(appeal, listNames, cancellationToken);
        var logged = await LoggedAsync(ticket, cancellationToken);
        var isAdmin = actor.Role == Roles.Admin;
        if (!isAdmin && !concerns.Any(c => c.Hotlines.Contains(actor.Organisation, StringComparer.Ordinal)) && logged?.Actor.Organisation != actor.Organisation)
        {
            return new DecideOutcome.NotFound();
        }

        if (logged is null)
        {
            if (request.Outcome == AppealStatus.Upheld && concerns.Count == 0)
            {
                return new DecideOutcome.NothingListed();
            }

            foreach (var id in concerns.Select(c => c.Id).Distinct())
            {
                if ((await VerifiersAsync(id, cancellationToken)).Contains(request.Analyst))
                {
                    return new DecideOutcome.AnalystWasVerifier(id);
                }
            }

            var kind = request.Outcome == AppealStatus.Upheld ? DecisionKind.AppealUphold : DecisionKind.AppealDismiss;
            var subject = new DecisionSubject
            {
                Appeal = ticket,
                Entries = concerns.Select(c => c.Id).Distinct().OrderBy(id => id.Hex, StringComparer.Ordinal).ToList(),
                Disposition = request.Analyst,
            };
            logged = new DecisionLeaf { Kind = kind, Actor = actor, Reason = request.Reason, DecidedAt = default, Subject = subject };
        }

        // first time: logs it; after a crash: the logged decision stands (same id), whatever this request asks
        var recorded = await decisions.AppendAsync(DecisionId(ticket), logged.Kind, logged.Actor, logged.Reason, logged.Subject, cancellationToken);
        logged = recorded.Leaf;

        var outcome = logged.Kind == DecisionKind.AppealUphold ? AppealStatus.Upheld : AppealStatus.Dismissed;
        var decided = concerns.Where(c => logged.Subject.Entries.Contains(c.Id)).ToList();
        var hotlines = decided.SelectMany(c => c.Hotlines).Distinct().Order(StringComparer.Ordinal).ToList();
        if (outcome == AppealStatus.Upheld)
        {
            foreach (var hotline in hotlines)
            {
                await WithdrawAsync(ticket, hotline, decided.Where(c => c.Hotlines.Contains(hotline, StringComparer.Ordinal)).ToList(), cancellationToken);
            }
        }

        var result = appeal with
        {
            Status = outcome,
            Decision = new AppealDecision(outcome, logged.Reason, logged.Subject.Disposition ?? request.Analyst, logged.Actor.KeyId, logged.Actor.Organisation,
                logged.DecidedAt, logged.Subject.Entries, hotlines, recorded.Index),
        };
        await rows.UpsertAsync(names.Appeals, [AppealCodec.ToRow(result)], cancellationToken);
        return new DecideOutcome.Decided(result);
    }

    private async Task<DecisionLeaf?> LoggedAsync(string ticket, CancellationToken cancellationToken)
    {
        var stored = await blobs.GetAsync(names.WorkContainer, TransparencyLogStore.DecisionPlanPrefix + DecisionId(ticket) + ".json", cancellationToken);
        return stored is not null && DecisionLeaf.FromJson(stored.Content) is { IsSuccess: true } parsed ? parsed.Value : null;
    }

    /// <summary>Every analyst id any logged add or withdrawal of the entry names (case-insensitive, trimmed).</summary>
    private async Task<HashSet<string>> VerifiersAsync(EntryId id, CancellationToken cancellationToken)
    {
        var verifiers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var stored in await log.HistoryAsync(id, cancellationToken))
        {
            if (LogLeaf.FromJson(stored.Bytes) is { IsSuccess: true } change)
            {
                verifiers.UnionWith(change.Value!.VerifiedBy.Select(v => v.Trim()));
            }
        }

        return verifiers;
    }

    /// <summary>Journals the removal of <paramref name="concerns"/> on behalf of <paramref name="hotline"/>; the same body under the same key on every retry.</summary>
    private Task WithdrawAsync(string ticket, string hotline, IReadOnlyList<ConcernedEntry> concerns, CancellationToken cancellationToken) =>
        BackingWithdrawal.JournalAsync(ingest, DecisionId(ticket), hotline, concerns.Select(c => new WithdrawnEntry(c.List, c.Id, c.Expression, c.Scope)).ToList(), cancellationToken);
}
