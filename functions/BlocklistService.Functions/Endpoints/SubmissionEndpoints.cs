using System.Security.Claims;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Ingest;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Endpoints;

/// <summary>Hotline routes: submit a batch, read its status.</summary>
public static class SubmissionEndpoints
{
    /// <summary>Longest accepted <c>Idempotency-Key</c>.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    public static IEndpointRouteBuilder MapSubmissionEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/submissions").WithTags("Submissions").RequireAuthorization(Roles.Hotline);
        group.MapPost("/", SubmitAsync)
            .WithName("Submit")
            .WithSummary("Journal a batch of add/remove items (application/json); 202 once durable, with a result per item");
        group.MapGet("/", ListAsync)
            .WithName("ListSubmissions")
            .WithSummary("The hotline's own submissions, newest first (?limit=1-100, default 20; ?after=<next> for the next page), each with how many items are in each state");
        group.MapGet("/{id}", StatusAsync)
            .WithName("SubmissionStatus")
            .WithSummary("Each item's state: rejected (why), held, pending, or published in list version N");
        return routes;
    }

    private static async Task<Results<Accepted<SubmissionReceipt>, ProblemHttpResult>> SubmitAsync(
        HttpContext context, ClaimsPrincipal user, SubmissionIngest ingest, IOptions<IngestOptions> options, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (!ClientJson.IsJson(request.ContentType))
        {
            return Problems.Field(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
                "Content-Type", "must be application/json");
        }

        string? idempotencyKey = null;
        if (request.Headers.TryGetValue("Idempotency-Key", out var keyValues))
        {
            idempotencyKey = keyValues.Count == 1 ? keyValues[0] : null;
            if (idempotencyKey is null || idempotencyKey.Length is 0 or > MaxIdempotencyKeyLength || !idempotencyKey.All(c => c is >= '!' and <= '~'))
            {
                return Problems.Field(StatusCodes.Status400BadRequest, "invalid-idempotency-key", "Invalid Idempotency-Key",
                    "Idempotency-Key", $"one value of 1 to {MaxIdempotencyKeyLength} printable ASCII characters without spaces");
            }
        }

        var body = await ClientJson.ReadBoundedAsync(context, options.Value.MaxRequestBytes, cancellationToken);
        if (body is null)
        {
            return Problems.Field(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "Request body too large",
                "body", $"at most {options.Value.MaxRequestBytes} bytes");
        }

        var outcome = await ingest.SubmitAsync(user.Organisation(), idempotencyKey, body.Value, cancellationToken);
        return outcome switch
        {
            IngestOutcome.Journaled journaled => TypedResults.Accepted(
                $"/api/v1/submissions/{journaled.Receipt.SubmissionId}", journaled.Receipt),
            IngestOutcome.Invalid invalid => Problems.Field(StatusCodes.Status400BadRequest, "invalid-submission", "Invalid submission",
                invalid.Error.Field, invalid.Error.Message),
            _ => Problems.Field(StatusCodes.Status409Conflict, "idempotency-key-reused", "Idempotency-Key reused",
                "Idempotency-Key", "this key was already used with a different request body"),
        };
    }

    /// <summary>Largest page of <c>GET /api/v1/submissions</c>.</summary>
    public const int MaxListPage = 100;

    private static async Task<Results<Ok<SubmissionPage>, ProblemHttpResult>> ListAsync(
        string? limit, string? after, ClaimsPrincipal user, SubmissionIngest ingest, CancellationToken cancellationToken)
    {
        var count = 20;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxListPage))
        {
            return Problems.Field(StatusCodes.Status400BadRequest, "invalid-number", "Invalid number", "limit", $"must be a whole number from 1 to {MaxListPage}");
        }

        if (after is not null && !SubmissionRows.IsIndexRowKey(after))
        {
            return Problems.Field(StatusCodes.Status400BadRequest, "invalid-cursor", "Invalid cursor", "after", "must be the next value of a previous page, unchanged");
        }

        return TypedResults.Ok(await ingest.ListAsync(user.Organisation(), after, count, cancellationToken));
    }

    private static async Task<Results<Ok<SubmissionStatus>, ProblemHttpResult>> StatusAsync(
        string id, ClaimsPrincipal user, SubmissionIngest ingest, CancellationToken cancellationToken)
    {
        if (!IsSubmissionId(id))
        {
            return Problems.NotFound("submission");
        }

        var status = await ingest.StatusAsync(user.Organisation(), id, cancellationToken);
        return status is null ? Problems.NotFound("submission") : TypedResults.Ok(status);
    }

    /// <summary>Submission ids are <c>s</c> and 40 lowercase hex characters; anything else cannot exist.</summary>
    public static bool IsSubmissionId(string id) =>
        id.Length == 41 && id[0] == 's' && id.Skip(1).All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
