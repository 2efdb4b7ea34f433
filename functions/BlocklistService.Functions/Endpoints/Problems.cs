using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>RFC 9457 problem+json answers with a stable <c>type</c> per kind of problem and an <c>errors</c> map naming fields.</summary>
public static class Problems
{
    /// <summary>Problem types are URNs: <c>urn:blocklist:problem:{code}</c>.</summary>
    public static string TypeOf(string code) => $"urn:blocklist:problem:{code}";

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
