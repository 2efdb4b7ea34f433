using BlocklistService.Functions.Endpoints;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.WebConsole;

namespace BlocklistService.Functions.Hosting;

/// <summary>
/// Every route group the server maps, in one list. Each group's routes, roles and OpenAPI metadata live in its own
/// <c>XxxEndpoints</c> class; this file only says which groups exist.
/// </summary>
public static class ServiceRoutes
{
    /// <summary>All routes: the API, the Functions host's <c>/Publish</c>, the stop page and the web console.</summary>
    public static WebApplication MapBlocklistRoutes(this WebApplication app)
    {
        app.MapBlocklistApi();
        app.MapPublishEndpoints();
        app.MapListEndpoints();
        app.MapKeyEndpoints();
        app.MapAdminPublishEndpoints();
        app.MapAuditEndpoints();
        app.MapStopPage();
        app.MapAppealEndpoints();
        app.MapReportEndpoints();
        app.MapListOverviewEndpoints();
        app.MapWebConsole();
        return app;
    }

    /// <summary>
    /// The hotline and key-administration part of the API (health, OpenAPI, submissions, admin keys and reviews): the
    /// routes <see cref="ApiSetup.AddBlocklistApi"/> alone serves, which the ingest benchmark runs without the publisher.
    /// </summary>
    public static WebApplication MapBlocklistApi(this WebApplication app)
    {
        app.MapHealthEndpoints();
        app.MapOpenApi("/api/openapi.json");
        app.MapSubmissionEndpoints();
        app.MapAdminKeyEndpoints();
        app.MapAdminReviewEndpoints();
        return app;
    }
}
