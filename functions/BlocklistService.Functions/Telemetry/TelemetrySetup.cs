using System.Diagnostics;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace BlocklistService.Functions.Telemetry;

/// <summary>
/// Telemetry export chosen by the environment: Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set
/// (the Bicep sets it), OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, nothing otherwise. What is collected is
/// defined once (<see cref="CollectTraces"/>, <see cref="CollectMetrics"/>) for every exporter and the tests.
/// </summary>
public static class TelemetrySetup
{
    public const string AzureMonitorVariable = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string OtlpVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Trace source of the service's own spans (storage start-up and publish cycles).</summary>
    public static readonly ActivitySource Source = new(BlocklistMetrics.MeterName);

    public static IServiceCollection AddBlocklistTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        // The Azure SDK (storage, identity) reports each call as an activity of its "Azure.*" sources only with this
        // switch; nothing is recorded unless a tracer provider listens.
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);
        services.AddMetrics();
        services.AddSingleton<BlocklistMetrics>();
        if (!string.IsNullOrWhiteSpace(configuration[AzureMonitorVariable]))
        {
            // The distro adds ASP.NET Core and HttpClient instrumentation itself; the service adds its own sources.
            services.AddOpenTelemetry()
                .UseAzureMonitor(monitor => monitor.ConnectionString = configuration[AzureMonitorVariable])
                .WithTracing(tracing => tracing.AddSource(Source.Name).AddSource("Azure.*").AddProcessor(new SecretRedaction()))
                .WithMetrics(metrics => metrics.AddMeter(BlocklistMetrics.MeterName));
        }
        else if (!string.IsNullOrWhiteSpace(configuration[OtlpVariable]))
        {
            services.AddOpenTelemetry()
                .WithTracing(tracing => CollectTraces(tracing))
                .WithMetrics(metrics => CollectMetrics(metrics))
                .UseOtlpExporter();
        }

        return services;
    }

    /// <summary>Requests, outgoing HTTP (storage, Key Vault) and the service's spans, with secrets removed.</summary>
    public static TracerProviderBuilder CollectTraces(TracerProviderBuilder tracing) =>
        tracing.AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddSource(Source.Name)
            .AddSource("Azure.*")
            .AddProcessor(new SecretRedaction());

    /// <summary>ASP.NET Core's request metrics and the service's own (<see cref="BlocklistMetrics"/>).</summary>
    public static MeterProviderBuilder CollectMetrics(MeterProviderBuilder metrics) =>
        metrics.AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddMeter(BlocklistMetrics.MeterName);

    /// <summary>
    /// Drops every attribute that could carry a secret before export: query strings (appeal secrets, signed URLs; a
    /// URL attribute keeps its path), any header attribute, and any value that contains an API key (<c>bls_...</c>).
    /// </summary>
    internal sealed class SecretRedaction : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data)
        {
            List<string>? drop = null;
            foreach (var (key, value) in data.TagObjects)
            {
                if (key is "url.query" || key.StartsWith("http.request.header.", StringComparison.Ordinal) ||
                    key.StartsWith("http.response.header.", StringComparison.Ordinal) ||
                    (value is string text && text.Contains("bls_", StringComparison.Ordinal)))
                {
                    (drop ??= []).Add(key);
                }
            }

            foreach (var key in drop ?? [])
            {
                data.SetTag(key, null);
            }

            foreach (var url in new[] { "url.full", "http.url" })
            {
                if (data.GetTagItem(url) is string full && full.IndexOf('?', StringComparison.Ordinal) is var q and >= 0)
                {
                    data.SetTag(url, full[..q]);
                }
            }
        }
    }
}
