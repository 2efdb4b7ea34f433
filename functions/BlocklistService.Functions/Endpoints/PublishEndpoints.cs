using System.Text.Json;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// The Publish timer as the Functions host calls it through the custom-handler protocol: <c>POST /Publish</c> with the
/// timer binding in <c>Data</c>; the answer is <c>{"Outputs": {}, "Logs": [...], "ReturnValue": null}</c>, and a
/// non-2xx status fails the invocation.
/// </summary>
public static class PublishEndpoints
{
    public static IEndpointRouteBuilder MapPublishEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/Publish", RunTimerAsync).WithName("PublishTimer").ExcludeFromDescription();
        return app;
    }

    /// <summary>One publish cycle for a timer invocation.</summary>
    public static async Task<IResult> RunTimerAsync(HttpRequest request, PublishRunner runner, CancellationToken cancellationToken)
    {
        try
        {
            using var payload = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            if (!payload.RootElement.TryGetProperty("Data", out _))
            {
                return Results.Problem(title: "Not a timer invocation", detail: "The request has no 'Data' property.", statusCode: 400);
            }
        }
        catch (JsonException)
        {
            return Results.Problem(title: "Not a timer invocation", detail: "The request body is not JSON.", statusCode: 400);
        }

        var results = await runner.RunOnceAsync(cancellationToken);
        var logs = results.Select(r => $"{r.List}: {r.Outcome.ToString().ToLowerInvariant()} (version {r.Version})").ToList();
        return Results.Json(new Dictionary<string, object?>
        {
            ["Outputs"] = new Dictionary<string, object?>(),
            ["Logs"] = logs,
            ["ReturnValue"] = null,
        });
    }
}
