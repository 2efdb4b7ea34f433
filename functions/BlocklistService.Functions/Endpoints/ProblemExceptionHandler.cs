using System.Globalization;
using System.Text.Json;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Diagnostics;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// Turns every exception that escapes an endpoint into a problem: a body the framework could not read or bind
/// (<see cref="BadHttpRequestException"/>) is the client's 4xx, naming the field when the JSON path is known, and is
/// logged at information level without a stack trace (no alert noise); storage that is unreachable, throttling or too
/// slow is 503 <c>storage-unavailable</c> with <c>Retry-After</c> (warning); a client that went away is 499 (debug);
/// anything else is 500 <c>internal-error</c>, logged at error level with the exception, and never shows it.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Classify(context, exception);
        context.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = StorageFailures.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    private HttpValidationProblemDetails Classify(HttpContext context, Exception exception)
    {
        var route = context.Request.Path.Value;
        switch (exception)
        {
            case BadHttpRequestException bad:
                logger.LogInformation("Refused {Method} {Route}: {Status} {Reason}", context.Request.Method, route, bad.StatusCode, bad.Message);
                return BadRequest(bad);
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                logger.LogDebug("{Method} {Route}: the client closed the request", context.Request.Method, route);
                return Problem(StatusCodes.Status499ClientClosedRequest, "client-closed-request", "Client closed request", "the client went away before the answer");
            case var _ when StorageFailures.IsUnavailable(exception, context.RequestAborted):
                logger.LogWarning("{Method} {Route}: storage unavailable ({Failure}: {Message})",
                    context.Request.Method, route, exception.GetType().Name, exception.Message);
                return Problem(StatusCodes.Status503ServiceUnavailable, Problems.StorageUnavailable, "Storage unavailable",
                    $"storage is unreachable or too slow right now; nothing was changed by this request unless it said so; retry after {StorageFailures.RetryAfterSeconds} s");
            default:
                logger.LogError(exception, "{Method} {Route} failed", context.Request.Method, route);
                return Problem(StatusCodes.Status500InternalServerError, "internal-error", "Internal error",
                    $"an unexpected error; quote trace id {context.TraceIdentifier} to the operators");
        }
    }

    private static HttpValidationProblemDetails BadRequest(BadHttpRequestException bad)
    {
        switch (bad.StatusCode)
        {
            case StatusCodes.Status413PayloadTooLarge:
                return Problem(bad.StatusCode, "payload-too-large", "Request body too large", "the request body is larger than this route accepts", "body", "too large");
            case StatusCodes.Status415UnsupportedMediaType:
                return Problem(bad.StatusCode, "unsupported-media-type", "Unsupported media type", "this route reads application/json", "Content-Type", "must be application/json");
        }

        if (bad.InnerException is JsonException json)
        {
            var field = ClientJson.FieldOf(json.Path);
            return Problem(StatusCodes.Status400BadRequest, "malformed-body", "Malformed request body",
                $"the request body is not valid JSON of the expected shape at '{field}'", field, "malformed, or of the wrong type");
        }

        return Problem(bad.StatusCode, Problems.CodeFor(bad.StatusCode), "Bad request", "the request could not be read", "request", "could not be read");
    }

    private static HttpValidationProblemDetails Problem(int status, string code, string title, string detail, string? field = null, string? message = null) =>
        new(field is null ? new Dictionary<string, string[]>() : new Dictionary<string, string[]> { [field] = [message!] })
        {
            Status = status,
            Type = Problems.TypeOf(code),
            Title = title,
            Detail = detail,
        };
}
