using System.Globalization;
using System.Security.Claims;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Decisions;
using BlocklistService.Domain.Urls;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Redress;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Endpoints;

/// <summary>A site owner's appeal.</summary>
public sealed record AppealRequest(string? Url, string? Contact, string? Statement);

/// <summary>The answer to filing: the ticket and the secret that shows its status (shown once).</summary>
public sealed record AppealReceipt(string Ticket, string Secret, string Status);

/// <summary>A decision as its appellant and the queue see it.</summary>
public sealed record AppealDecisionView(string Outcome, string Reason, DateTimeOffset DecidedAt);

/// <summary>What the appellant sees with the secret.</summary>
public sealed record AppealStatusView(string Ticket, string Status, DateTimeOffset Received, AppealDecisionView? Decision);

/// <summary>A listed entry an appeal concerns.</summary>
public sealed record ConcernView(string? List, string EntryId, string? Expression, string? Scope, IReadOnlyList<string> Hotlines);

/// <summary>One appeal in the queue (contact only for admins).</summary>
public sealed record AppealQueueItem(
    string Ticket, string Status, DateTimeOffset Received, bool Stale, string Url, string Statement, string? Contact,
    IReadOnlyList<ConcernView> Concerns, AppealDecisionView? Decision, string? Analyst, long? LogIndex);

public sealed record AppealQueue(IReadOnlyList<AppealQueueItem> Appeals);

/// <summary>A decision on an appeal: <c>uphold</c> or <c>dismiss</c>, why (public: the appellant reads it), and the re-assessing analyst.</summary>
public sealed record AppealDecisionBody(string? Decision, string? Reason, string? Analyst);

/// <summary>The decided appeal: outcome, the analyst, the entries and hotlines it concerned, and the decision leaf's index.</summary>
public sealed record AppealDecided(string Ticket, string Status, AppealDecisionView Decision, string Analyst, IReadOnlyList<string> Entries, IReadOnlyList<string> Hotlines, long LogIndex);

/// <summary>
/// <c>/api/v1/appeals</c>: filing (no API key, limited per client address), status with the ticket's secret, the queue
/// (hotline: appeals about entries it backs; admin: all, with stale ones flagged) and decisions.
/// </summary>
public static class AppealEndpoints
{
    /// <summary>Header carrying an appeal's secret (not the query string, which ends up in logs).</summary>
    public const string SecretHeader = "Appeal-Secret";

    public static IServiceCollection AddAppeals(this IServiceCollection services)
    {
        services.AddOptions<AppealOptions>().BindConfiguration(AppealOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AppealRateLimits>();
        services.AddSingleton<AppealDesk>();
        services.AddSingleton<AppealDecisions>();
        return services;
    }

    public static IEndpointRouteBuilder MapAppealEndpoints(this IEndpointRouteBuilder routes)
    {
        var appeals = routes.MapGroup("/api/v1/appeals").WithTags("Appeals");
        appeals.MapPost("/", FileAsync).AllowAnonymous().WithName("FileAppeal")
            .WithSummary("File an appeal {url, contact, statement}: 202 {ticket, secret}, the same whether or not the URL is listed");
        appeals.MapGet("/{ticket}", StatusAsync).AllowAnonymous().WithName("AppealStatus")
            .WithSummary("An appeal's status and decision, with its secret in the Appeal-Secret header");
        appeals.MapGet("/", QueueAsync).RequireAuthorization(policy => policy.RequireRole(Roles.Hotline, Roles.Admin)).WithName("AppealQueue")
            .WithSummary("Appeals by status: a hotline sees those about entries it backs, an admin all (stale ones flagged)");
        appeals.MapPost("/{ticket}/decision", DecideAsync).RequireAuthorization(policy => policy.RequireRole(Roles.Hotline, Roles.Admin)).WithName("DecideAppeal")
            .WithSummary("Uphold (every backing withdrawn, the removal published by the next version) or dismiss, by an analyst who did not verify the entry; logged as a decision leaf");
        return routes;
    }

    public static async Task<Results<Accepted<AppealReceipt>, ProblemHttpResult>> FileAsync(
        AppealRequest request, HttpContext context, AppealDesk desk, AppealRateLimits limits, IOptions<AppealOptions> options, CancellationToken cancellationToken)
    {
        if (!limits.TryTake(context, out var wait))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Problems.Create(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests",
                $"too many appeals from this address; retry after {seconds} s");
        }

        var settings = options.Value;
        if (Text(request.Url, settings.MaxUrlLength, multiline: false) is { } badUrl)
        {
            return Problems.Field(400, "invalid-appeal", "Invalid appeal", "url", badUrl);
        }

        var url = CanonicalUrl.Parse(request.Url);
        if (!url.TryGetValue(out var canonical))
        {
            return Problems.Field(400, "invalid-appeal", "Invalid appeal", "url", $"is not a web URL: {url.Rejection!.Message}");
        }

        if (Text(request.Contact, settings.MaxContactLength, multiline: false) is { } badContact)
        {
            return Problems.Field(400, "invalid-appeal", "Invalid appeal", "contact", badContact);
        }

        if (Text(request.Statement, settings.MaxStatementLength, multiline: true) is { } badStatement)
        {
            return Problems.Field(400, "invalid-appeal", "Invalid appeal", "statement", badStatement);
        }

        var filed = await desk.FileAsync(canonical, request.Url!, request.Contact!.Trim(), request.Statement!, cancellationToken);
        return TypedResults.Accepted($"/api/v1/appeals/{filed.Ticket}", new AppealReceipt(filed.Ticket, filed.Secret, "open"));
    }

    public static async Task<Results<Ok<AppealStatusView>, ProblemHttpResult>> StatusAsync(
        string ticket, HttpContext context, AppealDesk desk, CancellationToken cancellationToken)
    {
        var appeal = await desk.GetWithSecretAsync(ticket, context.Request.Headers[SecretHeader].FirstOrDefault(), cancellationToken);
        return appeal is null
            ? Problems.Create(404, "not-found", "Not found", $"no appeal with that ticket and the secret given in {SecretHeader}")
            : TypedResults.Ok(new AppealStatusView(appeal.Ticket, appeal.Status.ToWireName(), appeal.Received, View(appeal.Decision)));
    }

    public static async Task<Results<Ok<AppealQueue>, ProblemHttpResult>> QueueAsync(
        string? status, ClaimsPrincipal user, AppealDesk desk, CancellationToken cancellationToken)
    {
        AppealStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!AppealStatusNames.TryParse(status, out var parsed))
            {
                return Problems.Field(400, "invalid-status", "Invalid status", "status", "must be open, upheld or dismissed");
            }

            wanted = parsed;
        }

        var admin = user.IsInRole(Roles.Admin);
        var queue = await desk.QueueAsync(wanted, admin ? null : user.Organisation(), cancellationToken);
        return TypedResults.Ok(new AppealQueue(queue.Select(item => new AppealQueueItem(
            item.Appeal.Ticket, item.Appeal.Status.ToWireName(), item.Appeal.Received, desk.IsStale(item.Appeal), item.Appeal.Url, item.Appeal.Statement,
            admin ? item.Appeal.Contact : null,
            item.Concerns.Select(c => new ConcernView(c.List.Length == 0 ? null : c.List, c.Id.Hex, c.Expression.Length == 0 ? null : c.Expression,
                c.Expression.Length == 0 ? null : c.Scope.ToWireName(), c.Hotlines)).ToList(),
            View(item.Appeal.Decision), item.Appeal.Decision?.Analyst, item.Appeal.Decision?.LogIndex)).ToList()));
    }

    public static async Task<Results<Ok<AppealDecided>, ProblemHttpResult>> DecideAsync(
        string ticket, AppealDecisionBody body, ClaimsPrincipal user, AppealDecisions decisions, IOptions<AppealOptions> options, CancellationToken cancellationToken)
    {
        AppealStatus outcome;
        switch (body.Decision)
        {
            case "uphold": outcome = AppealStatus.Upheld; break;
            case "dismiss": outcome = AppealStatus.Dismissed; break;
            default: return Problems.Field(400, "invalid-decision", "Invalid decision", "decision", "must be uphold or dismiss");
        }

        if (DecisionReason.Check(body.Reason) is { } badReason)
        {
            return Problems.Field(400, "invalid-reason", "Invalid reason", "reason", badReason);
        }

        if (Text(body.Analyst, options.Value.MaxAnalystLength, multiline: false) is { } badAnalyst)
        {
            return Problems.Field(400, "invalid-analyst", "Invalid analyst", "analyst", badAnalyst + ": the id of the analyst who re-assessed the URL");
        }

        var result = await decisions.DecideAsync(ticket, new AppealDecisionRequest(outcome, body.Reason!, body.Analyst!.Trim()), DecisionLog.ActorOf(user), cancellationToken);
        return result switch
        {
            DecideOutcome.Decided { Appeal: { Decision: { } decision } appeal } => TypedResults.Ok(new AppealDecided(
                appeal.Ticket, appeal.Status.ToWireName(), View(decision)!, decision.Analyst, decision.Entries.Select(e => e.Hex).ToList(), decision.Hotlines, decision.LogIndex)),
            DecideOutcome.AlreadyDecided already => Problems.Create(409, "already-decided", "Already decided",
                $"the appeal was {already.Appeal.Status.ToWireName()} at {already.Appeal.Decision?.DecidedAt:O}"),
            DecideOutcome.AnalystWasVerifier verifier => Problems.Field(422, "analyst-not-independent", "Analyst not independent", "analyst",
                $"verified or withdrew entry {verifier.Entry.Hex}: an appeal is re-assessed by someone not involved in the first decision"),
            DecideOutcome.NothingListed => Problems.Create(409, "not-listed", "Nothing listed",
                "no entry the URL matches is listed now: there is nothing to withdraw (dismiss it, saying so)"),
            _ => Problems.NotFound("appeal"),
        };
    }

    private static AppealDecisionView? View(AppealDecision? decision) =>
        decision is null ? null : new AppealDecisionView(decision.Outcome.ToWireName(), decision.Reason, decision.DecidedAt);

    /// <summary>Null when <paramref name="value"/> is 1 to <paramref name="max"/> characters without control characters (line feed and tab allowed when multiline).</summary>
    private static string? Text(string? value, int max, bool multiline)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "is required";
        }

        if (value.Length > max)
        {
            return $"must be at most {max} characters (it has {value.Length})";
        }

        return value.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\t' or '\r'))
            ? multiline ? "must not contain control characters other than line breaks and tab" : "must not contain control characters"
            : null;
    }
}
