using System.Globalization;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// The Functions host's readiness probe (<c>GET /</c>), the public liveness check (<c>GET /api/health</c>: 200 while
/// the process serves, with storage reachability reported beside it) and storage readiness
/// (<c>GET /api/health/ready</c>: 200 when start-up has prepared storage and it answers, 503 <c>storage-unavailable</c> with Retry-After when not).
/// </summary>
public static class HealthEndpoints
{
    public sealed record Health(string Status, DateTimeOffset Time, StorageHealth Storage);

    /// <summary><c>reachable</c> or <c>unreachable</c>, when it was checked, how long the check took, and what failed.</summary>
    public sealed record StorageHealth(string Status, DateTimeOffset CheckedAt, double LatencyMs, string? Failure);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", Ready).WithName("Ready").WithSummary("Readiness probe of the Functions host").ExcludeFromDescription();
        routes.MapGet("/api/health", LiveAsync).WithName("Health").WithSummary("Liveness, with storage reachability beside it").WithTags("Health");
        routes.MapGet("/api/health/ready", StorageReadyAsync).WithName("HealthReady")
            .WithSummary("Storage readiness: 200 when storage answers, 503 storage-unavailable when not").WithTags("Health");
        return routes;
    }

    private static Ok Ready() => TypedResults.Ok();

    private static async Task<Ok<Health>> LiveAsync(StorageReadiness storage, TimeProvider time, CancellationToken cancellationToken) =>
        TypedResults.Ok(new Health("healthy", time.GetUtcNow(), View(await storage.CheckAsync(cancellationToken))));

    private static async Task<Results<Ok<StorageHealth>, ProblemHttpResult>> StorageReadyAsync(
        StorageReadiness storage, HttpContext context, CancellationToken cancellationToken)
    {
        var probe = await storage.ReadyAsync(cancellationToken);
        if (probe.Reachable)
        {
            return TypedResults.Ok(View(probe));
        }

        context.Response.Headers.RetryAfter = storage.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Field(StatusCodes.Status503ServiceUnavailable, "storage-unavailable", "Storage unavailable", "storage",
            $"not ready ({probe.Failure}); checked {probe.CheckedAt:O}");
    }

    private static StorageHealth View(StorageProbe probe) =>
        new(probe.Reachable ? "reachable" : "unreachable", probe.CheckedAt, Math.Round(probe.Milliseconds, 1), probe.Failure);
}
