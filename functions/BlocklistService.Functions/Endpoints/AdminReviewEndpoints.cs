using System.Security.Claims;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Decisions;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// Admin routes for items held because they touch a protected host: list them, approve one (it becomes accepted and
/// pending for its lists) or reject one (it stays in the journal as rejected, reason <c>rejected-by-review</c>).
/// Each decision takes <c>{"reason"}</c> and is logged as a <c>review-approve</c> / <c>review-reject</c> decision leaf
/// before it takes effect.
/// </summary>
public static class AdminReviewEndpoints
{
    /// <summary>Items held at ingest, and listed whole-host entries whose host became protected since (<see cref="ListedReview"/>).</summary>
    public sealed record HeldItems(IReadOnlyList<HeldItem> Items, IReadOnlyList<ListedReview> Listed);

    /// <summary>A decision on a listed entry: <c>kept</c> (stays listed) or <c>delisted</c> (its backings withdrawn; the next version removes it).</summary>
    public sealed record ListedDecision(string List, string EntryId, string Result, long DecisionIndex);

    public sealed record ReviewDecision(string SubmissionId, int Index, string Result, long DecisionIndex);

    public static IEndpointRouteBuilder MapAdminReviewEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/admin/reviews").WithTags("Admin").RequireAuthorization(Roles.Admin);
        group.MapGet("/", ListAsync).WithName("ListHeldItems").WithSummary("Items held for review (protected hosts)");
        group.MapPost("/{submissionId}/items/{index}/approve", ApproveAsync).WithName("ApproveHeldItem").WithSummary("Approve a held item");
        group.MapPost("/{submissionId}/items/{index}/reject", RejectAsync).WithName("RejectHeldItem").WithSummary("Reject a held item");
        group.MapPost("/listed/{list}/{entryId}/keep", KeepAsync).WithName("KeepListedEntry")
            .WithSummary("Keep listed a whole-host entry whose host became protected ({reason})");
        group.MapPost("/listed/{list}/{entryId}/delist", DelistAsync).WithName("DelistListedEntry")
            .WithSummary("Delist a whole-host entry whose host became protected ({reason}): its backings are withdrawn and the next version removes it");
        return routes;
    }

    private static async Task<Ok<HeldItems>> ListAsync(ReviewQueue reviews, ListedReviews listed, CancellationToken cancellationToken) =>
        TypedResults.Ok(new HeldItems(await reviews.ListAsync(cancellationToken), await listed.ListAsync(cancellationToken)));

    private static Task<Results<Ok<ListedDecision>, ProblemHttpResult>> KeepAsync(
        string list, string entryId, DecisionRequest? body, ListedReviewDecisions decisions, ClaimsPrincipal user, ILoggerFactory loggers,
        CancellationToken cancellationToken) =>
        DecideListedAsync(list, entryId, keep: true, body, decisions, user, loggers, cancellationToken);

    private static Task<Results<Ok<ListedDecision>, ProblemHttpResult>> DelistAsync(
        string list, string entryId, DecisionRequest? body, ListedReviewDecisions decisions, ClaimsPrincipal user, ILoggerFactory loggers,
        CancellationToken cancellationToken) =>
        DecideListedAsync(list, entryId, keep: false, body, decisions, user, loggers, cancellationToken);

    private static async Task<Results<Ok<ListedDecision>, ProblemHttpResult>> DecideListedAsync(
        string list, string entryId, bool keep, DecisionRequest? body, ListedReviewDecisions decisions, ClaimsPrincipal user, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (!ListName.TryParse(list, out var name) || !EntryId.TryParse(entryId, out var id))
        {
            return Problems.NotFound("listed entry under review");
        }

        var (reason, invalid) = DecisionRequest.Check(body);
        if (invalid is not null)
        {
            return invalid;
        }

        switch (await decisions.DecideAsync(name, id, keep, DecisionLog.ActorOf(user), reason!, cancellationToken))
        {
            case ListedReviewOutcome.Decided { Decision: var decision }:
                loggers.CreateLogger(typeof(AdminReviewEndpoints)).LogInformation(
                    "Listed entry {List}/{EntryId} {Decision} by {AdminKeyId}", decision.List, decision.EntryId, decision.Result, user.KeyId());
                return TypedResults.Ok(new ListedDecision(decision.List, decision.EntryId, decision.Result, decision.DecisionIndex));
            case ListedReviewOutcome.AlreadyDecided { Decision: var earlier }:
                return Problems.Create(StatusCodes.Status409Conflict, "already-decided", "Already decided",
                    $"the entry was already {earlier.Result} by decision {earlier.DecisionIndex} at {earlier.DecidedAt:O}; that decision stands");
            default:
                return Problems.NotFound("listed entry under review");
        }
    }

    private static Task<Results<Ok<ReviewDecision>, ProblemHttpResult>> ApproveAsync(
        string submissionId, string index, DecisionRequest? body, SubmissionJournal journal, ReviewQueue reviews, DecisionLog decisions,
        ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        DecideAsync(submissionId, index, approve: true, body, journal, reviews, decisions, user, loggers, cancellationToken);

    private static Task<Results<Ok<ReviewDecision>, ProblemHttpResult>> RejectAsync(
        string submissionId, string index, DecisionRequest? body, SubmissionJournal journal, ReviewQueue reviews, DecisionLog decisions,
        ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        DecideAsync(submissionId, index, approve: false, body, journal, reviews, decisions, user, loggers, cancellationToken);

    private static async Task<Results<Ok<ReviewDecision>, ProblemHttpResult>> DecideAsync(
        string submissionId, string indexText, bool approve, DecisionRequest? body, SubmissionJournal journal, ReviewQueue reviews,
        DecisionLog decisions, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!SubmissionEndpoints.IsSubmissionId(submissionId) || !int.TryParse(indexText, out var index) || index is < 0 or > 99_999 ||
            await journal.GetHeadAsync(submissionId, cancellationToken) is null ||
            await journal.ReadItemAsync(submissionId, index, cancellationToken) is not { } item)
        {
            return Problems.NotFound("submission item");
        }

        var result = approve ? ItemResult.Accepted : ItemResult.Rejected;
        var alreadyDecided = item.Reason == (approve ? null : "rejected-by-review") && item.Result == result &&
                             await reviews.ContainsAsync(submissionId, index, cancellationToken);
        if (item.Result != ItemResult.Held && !alreadyDecided)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "not-held", "Item not held",
                $"item {index} is {item.Result.ToWireName()}, not held for review");
        }

        var (reason, invalid) = DecisionRequest.Check(body);
        if (invalid is not null)
        {
            return invalid;
        }

        // The decision leaf first (once per item and outcome), then the result, the pending markers and the queue
        // row: a crash in between leaves the item in the queue, and repeating the same decision finishes the steps.
        var kind = approve ? DecisionKind.ReviewApprove : DecisionKind.ReviewReject;
        var logged = await decisions.AppendAsync($"{kind.ToWireName()}-{submissionId}-{index}", kind, DecisionLog.ActorOf(user), reason!, new DecisionSubject
        {
            List = item.Lists.Count == 1 && ListName.TryParse(item.Lists[0], out var list) ? list : null,
            Submission = submissionId,
            Item = index,
            Entries = EntryId.TryParse(item.EntryId, out var entry) ? [entry] : [],
        }, cancellationToken);
        await journal.SetResultAsync(submissionId, index, result, approve ? null : "rejected-by-review", cancellationToken);
        if (approve)
        {
            await journal.MarkPendingAsync(submissionId, item.Lists, cancellationToken);
        }

        await reviews.RemoveAsync(submissionId, index, cancellationToken);
        loggers.CreateLogger(typeof(AdminReviewEndpoints)).LogInformation(
            "Held item {SubmissionId}/{Index} {Decision} by {AdminKeyId}", submissionId, index, result.ToWireName(), user.KeyId());
        return TypedResults.Ok(new ReviewDecision(submissionId, index, result.ToWireName(), logged.Index));
    }
}
