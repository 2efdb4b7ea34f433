using System.Text.Json;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// The Publish timer as the Functions host calls it through the custom-handler protocol: <c>POST /Publish</c> with the
/// timer binding in <c>Data</c>; the answer is <c>{"Outputs": {}, "Logs": [...], "ReturnValue": null}</c>, and a
/// non-2xx status fails the invocation.
/// </summary>
/// <remarks>
/// Only the host may call this route. The front door never routes here (host.json keeps the default <c>api</c> route
/// prefix), and as defence in depth a request that looks proxied is refused: the host forwards a client's request with
/// every header the client and the App Service front end sent (the front end always adds <c>X-ARR-LOG-ID</c> and the
/// <c>X-Forwarded-*</c> / <c>X-Original-URL</c> family) and the public host name in <c>Host</c>, while the host's own
/// timer invocation is a fresh POST to the loopback address carrying only its invocation headers.
/// </remarks>
public static class PublishEndpoints
{
    /// <summary>Headers that only a request which came through the front end (or another proxy) carries.</summary>
    public static readonly IReadOnlyList<string> ProxiedRequestHeaders =
    [
        "X-ARR-LOG-ID", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Original-URL", "X-WAWS-Unencoded-URL",
        "DISGUISED-HOST", "CLIENT-IP", "X-Client-IP", "Forwarded", "X-MS-CLIENT-PRINCIPAL", "Authorization",
    ];

    public static IEndpointRouteBuilder MapPublishEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/Publish", RunTimerAsync).WithName("PublishTimer").ExcludeFromDescription();
        return app;
    }

    /// <summary>One publish cycle for a timer invocation.</summary>
    public static async Task<IResult> RunTimerAsync(HttpRequest request, PublishRunner runner, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (ProxiedBy(request) is { } marker)
        {
            // Never echo header values: they come from an unknown caller.
            loggerFactory.CreateLogger(typeof(PublishEndpoints)).LogWarning("Refused a /Publish request that came through a proxy ({Marker})", marker);
            return Problems.Create(StatusCodes.Status403Forbidden, "not-a-timer-invocation", "Not a timer invocation",
                "Publish runs only when the Functions host invokes its timer; this request came through the HTTP front door.");
        }

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

    /// <summary>Why <paramref name="request"/> looks proxied (a header name, or <c>Host</c>), or null for a host invocation.</summary>
    public static string? ProxiedBy(HttpRequest request)
    {
        foreach (var header in ProxiedRequestHeaders)
        {
            if (request.Headers.ContainsKey(header))
            {
                return header;
            }
        }

        // The host invokes the handler on the loopback port it assigned; a forwarded request keeps the client's Host.
        return request.Host.Host is "127.0.0.1" or "localhost" or "[::1]" or "::1" ? null : "Host";
    }
}
