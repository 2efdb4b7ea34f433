using System.Globalization;
using System.Security.Claims;
using BlocklistService.Domain.Publishing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Decisions;
using BlocklistService.Functions.Publishing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// Admin routes around publishing: run a cycle now, see a held version's exact change set and decide on it, see how
/// far behind each ISP is. Every decision takes a <c>reason</c> and is logged as a decision leaf before it takes effect.
/// </summary>
public static class AdminPublishEndpoints
{
    public sealed record PublishedList(string List, string Outcome, long Version);

    public sealed record PublishResponse(IReadOnlyList<PublishedList> Lists, long DecisionIndex);

    public sealed record HoldsResponse(IReadOnlyList<Hold> Holds);

    public sealed record HoldResponse(
        Hold Hold, ChangeSetCounts Counts, IReadOnlyList<HeldChange> HostScope, IReadOnlyList<HeldChange> ProtectedHosts, IReadOnlyList<HeldChange> Changes,
        int Offset, int? NextOffset);

    /// <summary>A hold rejection: why, and whether the held items stay pending (<c>keep-pending</c>, the default) or are dropped (<c>reject</c>).</summary>
    public sealed record HoldRejectRequest(string? Reason, string? Items);

    public sealed record HoldDecisionResponse(Hold Hold, PublishedList? Published, long? DecisionIndex);

    public sealed record IspsResponse(IReadOnlyList<IspStatus> Isps);

    /// <summary>An emergency revert: the earlier version whose state the new version takes, and why.</summary>
    public sealed record RevertRequest(long? ToVersion, string? Reason);

    /// <summary>What a revert would do now: the version it would publish, the entries it would list again and delist, the state it restores.</summary>
    public sealed record RevertPreviewResponse(string List, long Version, long ToVersion, long NewVersion, int Listed, int Unlisted, int Changes, int EntryCount, string StateHash);

    public sealed record RevertResponse(string List, long Version, long ToVersion, string StateHash, int Listed, int Unlisted, long DecisionIndex);

    public static IEndpointRouteBuilder MapAdminPublishEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(Roles.Admin);
        admin.MapPost("/publish", PublishAsync).WithName("PublishNow").WithSummary("Runs one publish cycle now ({reason}) and returns what each list did");
        admin.MapGet("/holds", HoldsAsync).WithName("ListHolds").WithSummary("Versions held by the change guard");
        admin.MapGet("/holds/{id}", HoldAsync).WithName("GetHold")
            .WithSummary("A held version's exact change set: counts by scope, category and hotline, host-scope and protected-host entries, every change pageable (?offset=&limit=); ETag = its digest");
        admin.MapPost("/holds/{id}/approve", ApproveAsync).WithName("ApproveHold")
            .WithSummary("Approves exactly the change set of If-Match: <digest> ({reason}) and publishes it");
        admin.MapPost("/holds/{id}/reject", RejectAsync).WithName("RejectHold")
            .WithSummary("Rejects a held version (If-Match: <digest>, {reason, items: keep-pending|reject})");
        admin.MapPost("/lists/{list}/revert", RevertAsync).WithName("RevertList")
            .WithSummary("Emergency revert ({toVersion, reason}): publishes at once a version whose state equals toVersion's, bypassing holds, logged as a decision");
        admin.MapGet("/lists/{list}/revert", RevertPreviewAsync).WithName("PreviewRevert")
            .WithSummary("What a revert to ?toVersion=V would do now (read-only): the version it would publish, entries listed again and delisted, the restored entry count and state hash");
        admin.MapGet("/isps", IspsAsync).WithName("ListIsps").WithSummary("Every ISP key: last contact, reported version and lag per list");
        return routes;
    }

    private static async Task<Results<Ok<PublishResponse>, ProblemHttpResult>> PublishAsync(
        DecisionRequest? body, PublishRunner runner, DecisionLog decisions, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (reason, invalid) = DecisionRequest.Check(body);
        if (invalid is not null)
        {
            return invalid;
        }

        var logged = await decisions.AppendAsync(DecisionLog.NewId(DecisionKind.Publish), DecisionKind.Publish, DecisionLog.ActorOf(user), reason!, new DecisionSubject(), cancellationToken);
        return TypedResults.Ok(new PublishResponse((await runner.RunOnceAsync(cancellationToken)).Select(ToResponse).ToList(), logged.Index));
    }

    private static async Task<Ok<HoldsResponse>> HoldsAsync(HoldDesk desk, CancellationToken cancellationToken) =>
        TypedResults.Ok(new HoldsResponse(await desk.ListAsync(cancellationToken)));

    private static async Task<Results<Ok<HoldResponse>, ProblemHttpResult>> HoldAsync(
        string id, string? offset, string? limit, HttpContext context, HoldDesk desk, CancellationToken cancellationToken)
    {
        if (!TryParsePaging(offset, 0, int.MaxValue, out var from))
        {
            return Problems.Field(400, "invalid-number", "Invalid number", "offset", "must be a non-negative whole number");
        }

        if (!TryParsePaging(limit, 1, HoldDesk.MaxPage, out var count, HoldDesk.MaxPage))
        {
            return Problems.Field(400, "invalid-number", "Invalid number", "limit", $"must be a whole number from 1 to {HoldDesk.MaxPage}");
        }

        var detail = await desk.GetAsync(id, from, count, cancellationToken);
        if (detail is null)
        {
            return Problems.NotFound("hold");
        }

        if (detail.Hold.Digest is { } digest)
        {
            context.Response.Headers.ETag = $"\"{digest}\"";
        }

        return TypedResults.Ok(new HoldResponse(detail.Hold, detail.Counts, detail.HostScope, detail.ProtectedHosts, detail.Changes, detail.Offset, detail.NextOffset));
    }

    private static async Task<Results<Ok<HoldDecisionResponse>, ProblemHttpResult>> ApproveAsync(
        string id, DecisionRequest? body, HttpContext context, HoldDesk desk, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (IfMatch(context) is not { } digest)
        {
            return MissingIfMatch();
        }

        var (reason, invalid) = DecisionRequest.Check(body);
        if (invalid is not null)
        {
            return invalid;
        }

        var (decision, hold, published, logged) = await desk.ApproveAsync(id, digest, reason!, DecisionLog.ActorOf(user), cancellationToken);
        return decision switch
        {
            HoldDecision.Done => TypedResults.Ok(new HoldDecisionResponse(hold!, published is null ? null : ToResponse(published), logged?.Index)),
            _ => Refused(id, decision, hold),
        };
    }

    private static async Task<Results<Ok<HoldDecisionResponse>, ProblemHttpResult>> RejectAsync(
        string id, HoldRejectRequest? body, HttpContext context, HoldDesk desk, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (IfMatch(context) is not { } digest)
        {
            return MissingIfMatch();
        }

        var (reason, invalid) = DecisionRequest.Check(body is null ? null : new DecisionRequest(body.Reason));
        if (invalid is not null)
        {
            return invalid;
        }

        HoldRejection rejection;
        switch (body!.Items)
        {
            case null or "keep-pending": rejection = HoldRejection.KeepPending; break;
            case "reject": rejection = HoldRejection.Reject; break;
            default: return Problems.Field(400, "invalid-items", "Invalid items", "items", "must be keep-pending (the default) or reject");
        }

        var (decision, hold, logged) = await desk.RejectAsync(id, digest, reason!, rejection, DecisionLog.ActorOf(user), cancellationToken);
        return decision switch
        {
            HoldDecision.Done => TypedResults.Ok(new HoldDecisionResponse(hold!, null, logged?.Index)),
            _ => Refused(id, decision, hold),
        };
    }

    private static async Task<Results<Ok<RevertResponse>, ProblemHttpResult>> RevertAsync(
        string list, RevertRequest? body, ListReverter reverter, ClaimsPrincipal user, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var (reason, invalid) = DecisionRequest.Check(body is null ? null : new DecisionRequest(body.Reason));
        if (invalid is not null)
        {
            return invalid;
        }

        if (body!.ToVersion is not { } toVersion || toVersion < 1)
        {
            return Problems.Field(400, "invalid-version", "Invalid version", "toVersion", "required: the earlier version (≥ 1) whose state to publish again");
        }

        var result = await reverter.RevertAsync(list, toVersion, reason!, DecisionLog.ActorOf(user), cancellationToken);
        switch (result.Outcome)
        {
            case RevertOutcome.UnknownList:
                return Problems.NotFound("list");
            case RevertOutcome.NotAnEarlierVersion:
                return Problems.Field(400, "invalid-version", "Invalid version", "toVersion", $"must be an earlier version of '{list}': 1 to {result.Version - 1}");
            case RevertOutcome.LostRace:
                return Problems.Create(409, "publish-race", "Published meanwhile", $"another version of '{list}' was published first; repeat the revert");
        }

        loggers.CreateLogger(typeof(AdminPublishEndpoints)).LogWarning(
            "Reverted {List} to the state of version {ToVersion} as version {Version} (+{Listed} -{Unlisted}) by {AdminKeyId}", list, toVersion, result.Version, result.Listed, result.Unlisted, user.KeyId());
        return TypedResults.Ok(new RevertResponse(list, result.Version, toVersion, result.StateHash!, result.Listed, result.Unlisted, result.Decision!.Index));
    }

    private static async Task<Results<Ok<RevertPreviewResponse>, ProblemHttpResult>> RevertPreviewAsync(
        string list, string? toVersion, ListReverter reverter, CancellationToken cancellationToken)
    {
        if (!long.TryParse(toVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var target) || target < 1)
        {
            return Problems.Field(400, "invalid-version", "Invalid version", "toVersion", "required: the earlier version (≥ 1) whose state a revert would publish again");
        }

        var preview = await reverter.PreviewAsync(list, target, cancellationToken);
        return preview.Outcome switch
        {
            RevertOutcome.UnknownList => Problems.NotFound("list"),
            RevertOutcome.NotAnEarlierVersion => Problems.Field(400, "invalid-version", "Invalid version", "toVersion",
                $"must be an earlier version of '{list}': 1 to {preview.Version - 1}"),
            _ => TypedResults.Ok(new RevertPreviewResponse(list, preview.Version, target, preview.Version + 1, preview.Listed, preview.Unlisted,
                preview.Listed + preview.Unlisted, preview.Count, preview.StateHash!)),
        };
    }

    private static async Task<Ok<IspsResponse>> IspsAsync(IspTracker tracker, CancellationToken cancellationToken) =>
        TypedResults.Ok(new IspsResponse(await tracker.ListAsync(cancellationToken)));

    private static ProblemHttpResult Refused(string id, HoldDecision decision, Hold? hold) => decision switch
    {
        HoldDecision.NotFound => Problems.NotFound("hold"),
        HoldDecision.StaleDigest => Problems.Field(StatusCodes.Status412PreconditionFailed, "stale-digest", "Change set changed",
            "If-Match", $"hold '{id}' now has digest {hold!.Digest ?? "(none)"}: read it again (GET /api/v1/admin/holds/{id}) before deciding"),
        _ => Problems.Create(409, "hold-decided", "Already decided", $"hold '{id}' is {hold!.Status}"),
    };

    /// <summary>The digest of <c>If-Match</c> (one strong or weak ETag, quotes removed); null when absent or not one value.</summary>
    private static string? IfMatch(HttpContext context)
    {
        var values = context.Request.Headers.IfMatch;
        if (values.Count != 1 || string.IsNullOrWhiteSpace(values[0]))
        {
            return null;
        }

        var value = values[0]!.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return value.Trim('"');
    }

    private static ProblemHttpResult MissingIfMatch() =>
        Problems.Field(StatusCodes.Status428PreconditionRequired, "if-match-required", "If-Match required", "If-Match",
            "send the hold's digest (its ETag from GET /api/v1/admin/holds/{id}) so the decision applies to the change set you saw");

    private static bool TryParsePaging(string? text, int minimum, int maximum, out int value, int fallback = 0)
    {
        value = fallback;
        return string.IsNullOrEmpty(text) ||
               (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= minimum && value <= maximum);
    }

    private static PublishedList ToResponse(ListPublishResult result) => new(result.List, result.Outcome switch
    {
        ListPublishOutcome.NothingPending => "nothing-pending",
        ListPublishOutcome.Published => "published",
        ListPublishOutcome.Resumed => "resumed",
        ListPublishOutcome.Held => "held",
        _ => "lost-race",
    }, result.Version);
}
