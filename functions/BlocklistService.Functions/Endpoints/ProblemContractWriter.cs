using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// Writes every problem the server answers with (the application's own, and the framework's: 401, 403, route 404,
/// 405, 413, 415, unhandled 500) as <c>application/problem+json</c> with a <c>urn:blocklist:problem:</c> type and an
/// <c>errors</c> map, whatever the request's <c>Accept</c> header says: a client that reads errors must find the same
/// shape on every route. It is the first writer registered, so the framework's default writer is never reached.
/// </summary>
public sealed class ProblemContractWriter(IOptions<JsonOptions> json) : IProblemDetailsWriter
{
    public const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        var status = problem.Status.Value;
        if (problem.Type is null || !problem.Type.StartsWith(Problems.TypePrefix, StringComparison.Ordinal))
        {
            problem.Type = Problems.TypeOf(Problems.CodeFor(status));
        }

        problem.Title ??= ReasonPhrase(status);
        if (problem is HttpValidationProblemDetails validation)
        {
            if (validation.Errors.Count == 0 && FieldOf(status) is { } known)
            {
                validation.Errors[known.Field] = [known.Message];
            }
        }
        else if (!problem.Extensions.ContainsKey("errors"))
        {
            problem.Extensions["errors"] = FieldOf(status) is { } known
                ? new Dictionary<string, string[]> { [known.Field] = [known.Message] }
                : new Dictionary<string, string[]>();
        }

        problem.Extensions.Remove("exception");
        problem.Extensions["traceId"] = Activity.Current?.Id ?? http.TraceIdentifier;
        http.Response.ContentType = ContentType;
        return new ValueTask(JsonSerializer.SerializeAsync(http.Response.Body, problem, problem.GetType(), json.Value.SerializerOptions, http.RequestAborted));
    }

    /// <summary>The field a framework-raised problem is about, when its status alone says it.</summary>
    private static (string Field, string Message)? FieldOf(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => ("Authorization", "send a valid, unrevoked API key as 'Bearer <key>'"),
        StatusCodes.Status413PayloadTooLarge => ("body", "larger than this route accepts"),
        StatusCodes.Status415UnsupportedMediaType => ("Content-Type", "must be application/json"),
        _ => null,
    };

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
}
