using Microsoft.Extensions.DependencyInjection.Extensions;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Decisions;
using BlocklistService.Functions.Endpoints;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Hosting;

/// <summary>The server's services and pipeline, so <c>Program.cs</c> reads as a list of calls.</summary>
public static class ApiSetup
{
    /// <summary>Largest body any route but submissions accepts.</summary>
    public const long DefaultMaxRequestBytes = 64 * 1024;

    /// <summary>JSON console logs (one structured event per line) unless <c>Logging:Format</c> is <c>simple</c>.</summary>
    public static WebApplicationBuilder AddStructuredLogging(this WebApplicationBuilder builder)
    {
        if (!string.Equals(builder.Configuration["Logging:Format"], "simple", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddJsonConsole(json =>
            {
                json.IncludeScopes = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.UseUtcTimestamp = true;
            });
        }

        return builder;
    }

    public static IServiceCollection AddBlocklistApi(this IServiceCollection services)
    {
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddFunctionsHost();

        services.AddSingleton(TimeProvider.System);
        services.AddBlocklistStorage();
        services.AddSingleton<StorageAccount>();
        services.AddSingleton<StorageReadiness>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<ListCatalog>();
        services.AddSingleton<SubmissionJournal>();
        services.AddSingleton<PublicationStore>();
        services.AddSingleton<ReviewQueue>();
        services.AddSingleton<ListedReviews>();
        services.AddSingleton<ListedReviewDecisions>();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<IngestOptions>>().Value.BuildProtectedHosts());
        services.AddSingleton<SubmissionValidator>();
        services.AddSingleton<SubmissionIngest>();
        services.AddStartupStep<Bootstrapper>();

        // One error contract: the writer registered first answers every problem, the handler classifies every exception,
        // the framework reads and binds bodies by the client JSON policy and lets binding failures reach the handler.
        services.AddSingleton<IProblemDetailsWriter, ProblemContractWriter>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.ConfigureHttpJsonOptions(json => ClientJson.Configure(json.SerializerOptions));
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        services.AddOpenApi();
        services.AddSingleton<CallerCache>();
        services.AddHostedService<KeyCacheRefresher>();
        services.AddSingleton<KeyRateLimits>();
        services.AddTransient<ApiKeyAuthenticationHandler>();
        services.AddAuthentication(auth =>
        {
            auth.DefaultScheme = ApiKeyAuthenticationHandler.SchemeName;
            auth.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        });
        var authorization = services.AddAuthorizationBuilder();
        foreach (var role in Roles.All)
        {
            authorization.AddPolicy(role, policy => policy.RequireAuthenticatedUser().RequireRole(role));
        }

        return services;
    }

    public static WebApplication UseBlocklistApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStorageReadinessGate();
        app.UseAuthentication();
        app.UseKeyRateLimits();
        app.UseAuthorization();
        return app;
    }
}
