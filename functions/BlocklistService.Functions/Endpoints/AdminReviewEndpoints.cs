using System.Security.Claims;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// Admin routes for items held because they touch a protected host: list them, approve one (it becomes accepted and
/// pending for its lists) or reject one (it stays in the journal as rejected, reason <c>rejected-by-review</c>).
/// </summary>
public static class AdminReviewEndpoints
{
    public sealed record HeldItems(IReadOnlyList<HeldItem> Items);

    public sealed record ReviewDecision(string SubmissionId, int Index, string Result);

    public static IEndpointRouteBuilder MapAdminReviewEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/admin/reviews").WithTags("Admin").RequireAuthorization(Roles.Admin);
        group.MapGet("/", ListAsync).WithName("ListHeldItems").WithSummary("Items held for review (protected hosts)");
        group.MapPost("/{submissionId}/items/{index}/approve", ApproveAsync).WithName("ApproveHeldItem").WithSummary("Approve a held item");
        group.MapPost("/{submissionId}/items/{index}/reject", RejectAsync).WithName("RejectHeldItem").WithSummary("Reject a held item");
        return routes;
    }

    private static async Task<Ok<HeldItems>> ListAsync(ReviewQueue reviews, CancellationToken cancellationToken) =>
        TypedResults.Ok(new HeldItems(await reviews.ListAsync(cancellationToken)));

    private static Task<Results<Ok<ReviewDecision>, ProblemHttpResult>> ApproveAsync(
        string submissionId, string index, SubmissionJournal journal, ReviewQueue reviews, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        DecideAsync(submissionId, index, approve: true, journal, reviews, user, loggers, cancellationToken);

    private static Task<Results<Ok<ReviewDecision>, ProblemHttpResult>> RejectAsync(
        string submissionId, string index, SubmissionJournal journal, ReviewQueue reviews, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        DecideAsync(submissionId, index, approve: false, journal, reviews, user, loggers, cancellationToken);

    private static async Task<Results<Ok<ReviewDecision>, ProblemHttpResult>> DecideAsync(
        string submissionId, string indexText, bool approve, SubmissionJournal journal, ReviewQueue reviews,
        ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken cancellationToken)
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

        // Result first, then the pending markers, then the queue row: a crash in between leaves the item in the queue,
        // and repeating the same decision finishes the steps.
        await journal.SetResultAsync(submissionId, index, result, approve ? null : "rejected-by-review", cancellationToken);
        if (approve)
        {
            await journal.MarkPendingAsync(submissionId, item.Lists, cancellationToken);
        }

        await reviews.RemoveAsync(submissionId, index, cancellationToken);
        loggers.CreateLogger(typeof(AdminReviewEndpoints)).LogInformation(
            "Held item {SubmissionId}/{Index} {Decision} by {AdminKeyId}", submissionId, index, result.ToWireName(), user.KeyId());
        return TypedResults.Ok(new ReviewDecision(submissionId, index, result.ToWireName()));
    }
}
