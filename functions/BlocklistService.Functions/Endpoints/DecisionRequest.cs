using BlocklistService.Domain.Transparency;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>The body of a route that records a human decision: why, in 1 to 1,000 characters.</summary>
public sealed record DecisionRequest(string? Reason)
{
    /// <summary>The reason, or a 400 problem naming the <c>reason</c> field (a missing body counts as a missing reason).</summary>
    public static (string? Reason, ProblemHttpResult? Problem) Check(DecisionRequest? request) =>
        DecisionReason.Check(request?.Reason) is { } problem
            ? (null, Problems.Field(StatusCodes.Status400BadRequest, "invalid-reason", "Invalid reason", "reason", problem))
            : (request!.Reason, null);
}
