using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Endpoints;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Signing;
using BlocklistService.Functions.Telemetry;
using BlocklistService.Functions.WebConsole;

namespace BlocklistService.Functions.Hosting;

/// <summary>
/// The whole service in two calls, so the host (<c>Program</c>) and anything else that runs the service in-process
/// (the benchmarks) register and map exactly the same things.
/// </summary>
public static class ServiceSetup
{
    /// <summary>The signer (Key Vault when configured), the API, the publisher, the auditor services, the stop page and the web console.</summary>
    public static IServiceCollection AddBlocklistService(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddKeyVaultArtifactSignerIfSelected(configuration);
        services.AddBlocklistTelemetry(configuration);
        services.AddBlocklistApi();
        services.AddPublishing();
        services.AddAudit();
        services.AddStopPage();
        services.AddAppeals();
        services.AddTransparencyReport();
        services.AddWebConsole();

        // last: it reads what the steps before it prepared
        services.AddStartupStep<KeyCacheWarmUp>();
        return services;
    }

    /// <summary>The API pipeline, then every route (<see cref="ServiceRoutes"/>).</summary>
    public static WebApplication MapBlocklistService(this WebApplication app)
    {
        app.UseStopPageHosts();
        app.UseBlocklistApi();
        app.MapBlocklistRoutes();
        return app;
    }
}
