using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>Admin routes around publishing: run a cycle now, decide on held versions, see how far behind each ISP is.</summary>
public static class AdminPublishEndpoints
{
    public sealed record PublishedList(string List, string Outcome, long Version);

    public sealed record PublishResponse(IReadOnlyList<PublishedList> Lists);

    public sealed record HoldsResponse(IReadOnlyList<Hold> Holds);

    public sealed record HoldDecisionResponse(Hold Hold, PublishedList? Published);

    public sealed record IspsResponse(IReadOnlyList<IspStatus> Isps);

    public static IEndpointRouteBuilder MapAdminPublishEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(Roles.Admin);
        admin.MapPost("/publish", PublishAsync).WithName("PublishNow").WithSummary("Runs one publish cycle and returns what each list did");
        admin.MapGet("/holds", HoldsAsync).WithName("ListHolds").WithSummary("Versions held by the change guard");
        admin.MapPost("/holds/{id}/approve", ApproveAsync).WithName("ApproveHold").WithSummary("Approves a held version and publishes it");
        admin.MapPost("/holds/{id}/reject", RejectAsync).WithName("RejectHold").WithSummary("Rejects a held version, dropping its changes");
        admin.MapGet("/isps", IspsAsync).WithName("ListIsps").WithSummary("Every ISP key: last contact, reported version and lag per list");
        return routes;
    }

    private static async Task<Ok<PublishResponse>> PublishAsync(PublishRunner runner, CancellationToken cancellationToken) =>
        TypedResults.Ok(new PublishResponse((await runner.RunOnceAsync(cancellationToken)).Select(ToResponse).ToList()));

    private static async Task<Ok<HoldsResponse>> HoldsAsync(HoldDesk desk, CancellationToken cancellationToken) =>
        TypedResults.Ok(new HoldsResponse(await desk.ListAsync(cancellationToken)));

    private static async Task<Results<Ok<HoldDecisionResponse>, ProblemHttpResult>> ApproveAsync(string id, HoldDesk desk, CancellationToken cancellationToken)
    {
        var (decision, hold, published) = await desk.ApproveAsync(id, cancellationToken);
        return decision switch
        {
            HoldDecision.Done => TypedResults.Ok(new HoldDecisionResponse(hold!, published is null ? null : ToResponse(published))),
            HoldDecision.NotFound => Problems.NotFound("hold"),
            _ => Problems.Create(409, "hold-decided", "Already decided", $"hold '{id}' is {hold!.Status}"),
        };
    }

    private static async Task<Results<Ok<HoldDecisionResponse>, ProblemHttpResult>> RejectAsync(string id, HoldDesk desk, CancellationToken cancellationToken)
    {
        var (decision, hold) = await desk.RejectAsync(id, cancellationToken);
        return decision switch
        {
            HoldDecision.Done => TypedResults.Ok(new HoldDecisionResponse(hold!, null)),
            HoldDecision.NotFound => Problems.NotFound("hold"),
            _ => Problems.Create(409, "hold-decided", "Already decided", $"hold '{id}' is {hold!.Status}"),
        };
    }

    private static async Task<Ok<IspsResponse>> IspsAsync(IspTracker tracker, CancellationToken cancellationToken) =>
        TypedResults.Ok(new IspsResponse(await tracker.ListAsync(cancellationToken)));

    private static PublishedList ToResponse(ListPublishResult result) => new(result.List, result.Outcome switch
    {
        ListPublishOutcome.NothingPending => "nothing-pending",
        ListPublishOutcome.Published => "published",
        ListPublishOutcome.Resumed => "resumed",
        ListPublishOutcome.Held => "held",
        _ => "lost-race",
    }, result.Version);
}
