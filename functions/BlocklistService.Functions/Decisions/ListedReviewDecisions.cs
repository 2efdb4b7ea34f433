using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Decisions;

/// <summary>The outcome of a keep or delist request on a listed entry under review.</summary>
public abstract record ListedReviewOutcome
{
    /// <summary>Decided as asked, now or by an earlier request with the same choice (the same answer again).</summary>
    public sealed record Decided(ListedReviewDecision Decision) : ListedReviewOutcome;

    /// <summary>No review of the entry is waiting and none was decided.</summary>
    public sealed record NotFound : ListedReviewOutcome;

    /// <summary>An earlier request decided the other way; that decision stands and this one changed nothing.</summary>
    public sealed record AlreadyDecided(ListedReviewDecision Decision) : ListedReviewOutcome;
}

/// <summary>
/// Keeps or delists a listed entry whose host became protected (<see cref="ListedReview"/>). The first decision on a
/// queued review is pinned the way appeals pin theirs: its decision id names the review, not the choice, so
/// <see cref="DecisionLog"/> records one leaf per review and every later request — a retry, a second admin, a racing
/// request with the other choice — gets that leaf back. A request with the same choice is answered as the first was; one
/// with the other choice is refused naming it. The steps after the leaf (withdrawing every backing when delisted, then
/// recording the decision and taking the review out of the queue) are idempotent and run to the end on every request
/// that finds the review still waiting, so a crash anywhere is finished by the next request, whatever it asks.
/// </summary>
public sealed class ListedReviewDecisions(ListedReviews reviews, DecisionLog decisions, SubmissionIngest ingest)
{
    /// <summary>The decision id of a queued review: the same for keep and delist, so the first one logged stands.</summary>
    public static string DecisionId(ListedReview review) => $"listed-{review.List}-{review.EntryId}-{ListedReviewRows.Instance(review)}";

    /// <summary>
    /// Decides the waiting review of <paramref name="entryId"/> in <paramref name="list"/> (<paramref name="keep"/>: keep
    /// it listed; otherwise delist it). <paramref name="reason"/> must already pass <see cref="DecisionReason.Check"/>.
    /// </summary>
    public async Task<ListedReviewOutcome> DecideAsync(ListName list, EntryId entryId, bool keep, DecisionActor actor, string reason, CancellationToken cancellationToken)
    {
        var asked = keep ? ListedReviewDecision.Kept : ListedReviewDecision.Delisted;
        if (await reviews.GetAsync(list.Value, entryId.Hex, cancellationToken) is not { } review)
        {
            // not waiting: decided before (answer as then), or never queued
            return await reviews.GetDecidedAsync(list.Value, entryId.Hex, cancellationToken) is { } earlier
                ? Answer(earlier, asked)
                : new ListedReviewOutcome.NotFound();
        }

        var id = DecisionId(review);
        var logged = await decisions.AppendAsync(id, keep ? DecisionKind.ReviewApprove : DecisionKind.ReviewReject, actor, reason, new DecisionSubject
        {
            List = list,
            Entries = [entryId],
            Disposition = keep ? "keep-listed" : "delist",
        }, cancellationToken);

        // from here on the logged leaf decides, not this request
        var kept = logged.Leaf.Kind == DecisionKind.ReviewApprove;
        if (!kept && EntryScopeNames.TryParse(review.Scope, out var scope))
        {
            foreach (var hotline in review.Hotlines)
            {
                await BackingWithdrawal.JournalAsync(ingest, id, hotline, [new WithdrawnEntry(list.Value, entryId, review.Expression, scope)], cancellationToken);
            }
        }

        var decision = new ListedReviewDecision(list.Value, entryId.Hex, ListedReviewRows.Instance(review),
            kept ? ListedReviewDecision.Kept : ListedReviewDecision.Delisted, logged.Index, logged.Leaf.DecidedAt);
        await reviews.CompleteAsync(decision, cancellationToken);
        return Answer(decision, asked);
    }

    private static ListedReviewOutcome Answer(ListedReviewDecision decision, string asked) =>
        decision.Result == asked ? new ListedReviewOutcome.Decided(decision) : new ListedReviewOutcome.AlreadyDecided(decision);
}
