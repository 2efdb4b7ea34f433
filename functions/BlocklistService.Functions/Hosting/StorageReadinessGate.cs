using BlocklistService.Functions.Endpoints;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Hosting;

/// <summary>
/// Until start-up storage preparation has finished (as <see cref="StorageReadiness"/> says), a request that needs storage waits up to
/// <see cref="StartupOptions.RequestWait"/> and then gets 503 <c>urn:blocklist:problem:storage-unavailable</c> with
/// <c>Retry-After</c>. Every request also gets its <see cref="RequestStorageScope"/> here. The readiness probe, liveness, the OpenAPI document and the stop page never touch storage.
/// </summary>
public static class StorageReadinessGate
{
    private static readonly string[] StorageFreePaths = ["/api/health", "/api/openapi.json", "/stop"];

    /// <summary>Registers a start-up step, the readiness state and the background initializer (once).</summary>
    public static IServiceCollection AddStartupStep<TStep>(this IServiceCollection services)
        where TStep : class, IStartupStep
    {
        services.AddOptions<StartupOptions>().BindConfiguration(StartupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StorageStartup>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StorageInitializer>());
        services.AddSingleton<IStartupStep, TStep>();
        return services;
    }

    public static IApplicationBuilder UseStorageReadinessGate(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            // From here on, everything this request asks of storage shares one failure (RequestStorageScope).
            RequestStorageScope.Begin();
            var readiness = context.RequestServices.GetService<StorageReadiness>();
            if (readiness is null || readiness.IsPrepared || IsStorageFree(context.Request.Path))
            {
                await next(context);
                return;
            }

            var wait = context.RequestServices.GetRequiredService<IOptions<StartupOptions>>().Value.RequestWait;
            if (await readiness.WaitPreparedAsync(wait, context.RequestAborted))
            {
                await next(context);
                return;
            }

            context.Response.Headers.RetryAfter = readiness.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Problems.Create(StatusCodes.Status503ServiceUnavailable, Problems.StorageUnavailable, "Storage unavailable",
                "The service is starting and its storage is not ready yet; retry after the Retry-After interval.").ExecuteAsync(context);
        });

    private static bool IsStorageFree(PathString path) =>
        path == "/" || StorageFreePaths.Any(free => path.StartsWithSegments(free, StringComparison.OrdinalIgnoreCase));
}
