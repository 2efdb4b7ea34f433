using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>The Functions host's readiness probe (<c>GET /</c>) and the public liveness check.</summary>
public static class HealthEndpoints
{
    public sealed record Health(string Status, DateTimeOffset Time);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", Ready).WithName("Ready").WithSummary("Readiness probe of the Functions host").ExcludeFromDescription();
        routes.MapGet("/api/health", Live).WithName("Health").WithSummary("Liveness").WithTags("Health");
        return routes;
    }

    private static Ok Ready() => TypedResults.Ok();

    private static Ok<Health> Live(TimeProvider time) => TypedResults.Ok(new Health("healthy", time.GetUtcNow()));
}
