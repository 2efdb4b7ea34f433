using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>RFC 9457 problem+json answers with a stable <c>type</c> per kind of problem and an <c>errors</c> map naming fields.</summary>
public static class Problems
{
    /// <summary>Every problem type starts with this; the code after it is stable and documented in protocol.md.</summary>
    public const string TypePrefix = "urn:blocklist:problem:";

    /// <summary>Problem types are URNs: <c>urn:blocklist:problem:{code}</c>.</summary>
    /// <summary>Storage unreachable, too slow, or not prepared yet at start-up: 503 with <c>Retry-After</c>.</summary>
    public const string StorageUnavailable = "storage-unavailable";

    public static string TypeOf(string code) => TypePrefix + code;

    /// <summary>
    /// The code of a problem that the framework raised by status alone (authentication, authorization, routing, body
    /// size, content type, unhandled exceptions), so those answers keep the same contract as the application's own.
    /// </summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "bad-request",
        StatusCodes.Status401Unauthorized => "unauthorized",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
        StatusCodes.Status406NotAcceptable => "not-acceptable",
        StatusCodes.Status408RequestTimeout => "request-timeout",
        StatusCodes.Status409Conflict => "conflict",
        StatusCodes.Status411LengthRequired => "length-required",
        StatusCodes.Status412PreconditionFailed => "precondition-failed",
        StatusCodes.Status413PayloadTooLarge => "payload-too-large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
        StatusCodes.Status429TooManyRequests => "rate-limited",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "headers-too-large",
        StatusCodes.Status499ClientClosedRequest => "client-closed-request",
        StatusCodes.Status500InternalServerError => "internal-error",
        StatusCodes.Status503ServiceUnavailable => "service-unavailable",
        _ => $"http-{status}",
    };

    public static ProblemHttpResult Create(int status, string code, string title, string detail, IDictionary<string, string[]>? errors = null)
    {
        var problem = new HttpValidationProblemDetails(errors ?? new Dictionary<string, string[]>())
        {
            Status = status,
            Type = TypeOf(code),
            Title = title,
            Detail = detail,
        };
        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult Field(int status, string code, string title, string field, string message) =>
        Create(status, code, title, $"{field}: {message}", new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string what) =>
        Create(StatusCodes.Status404NotFound, "not-found", "Not found", $"no {what} with that id is visible to this API key");
}
