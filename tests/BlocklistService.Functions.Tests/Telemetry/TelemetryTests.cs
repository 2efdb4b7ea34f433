using System.Diagnostics;
using System.Net;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Telemetry;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace BlocklistService.Functions.Tests.Telemetry;

/// <summary>
/// What the service emits, collected exactly as the exporters collect it (<see cref="TelemetrySetup.CollectTraces"/>,
/// <see cref="TelemetrySetup.CollectMetrics"/>) into the OpenTelemetry in-memory exporter, over real HTTP and Azurite.
/// </summary>
public sealed class TelemetryTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Requests_storage_calls_and_the_operator_metrics_are_recorded_without_any_api_key()
    {
        var activities = new List<Activity>();
        var metrics = new List<Metric>();
        await using var api = PublishApi.Create(storage.ConnectionString, services: services => services.AddOpenTelemetry()
            .WithTracing(tracing => TelemetrySetup.CollectTraces(tracing).AddInMemoryExporter(activities))
            .WithMetrics(meters => TelemetrySetup.CollectMetrics(meters).AddInMemoryExporter(metrics)));
        var (hotline, hotlineKey) = await api.ClientForAsync(Roles.Hotline, "telemetry-hotline");
        var (admin, adminKey) = await api.ClientForAsync(Roles.Admin, "operator");
        var (isp, ispKey) = await api.ClientForAsync(Roles.Isp, "telemetry-isp", "eu");

        var submitted = await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://telemetry.example/a"), Payloads.Add("not-a-url"))));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"))).StatusCode);
        using var first = await isp.GetAsync("/api/v1/lists/eu/updates?since=0");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/lists/eu/updates?since=0");
        again.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, (await isp.SendAsync(again)).StatusCode);
        // Shut down (which flushes) so that background work (poll flushes, the timer) stops appending to the exporters'
        // lists while the assertions below enumerate them.
        api.Services.GetRequiredService<TracerProvider>().Shutdown();
        api.Services.GetRequiredService<MeterProvider>().Shutdown();

        // Traces: the server span of each request and the client spans of its storage calls.
        var spans = string.Join(", ", activities.Select(a => $"{a.Source.Name}/{a.Kind}/{a.DisplayName}/{a.GetTagItem("http.route")}").Distinct().Take(30));
        Assert.True(activities.Any(a => a.Kind == ActivityKind.Server && (a.GetTagItem("http.route") as string)?.TrimEnd('/') == "/api/v1/submissions"), spans);
        Assert.True(activities.Any(a => a.Kind == ActivityKind.Client && a.Source.Name.StartsWith("Azure.", StringComparison.Ordinal)),
            spans);
        // Metrics the operators need, tagged by list, outcome and reason. The meter is shared by every server in this
        // test process (other tests publish "eu" too), so counts are lower bounds.
        Assert.Contains(Points(metrics, "blocklist.publish.duration"), p => Tag(p, "list") == "eu" && Tag(p, "outcome") == "Published");
        Assert.Contains(Points(metrics, "blocklist.list.version"), p => Tag(p, "list") == "eu" && p.GetGaugeLastValueLong() >= 1);
        Assert.Contains(Points(metrics, "blocklist.list.entries"), p => Tag(p, "list") == "eu" && p.GetGaugeLastValueLong() >= 1);
        Assert.Contains(Points(metrics, "blocklist.ingest.items"), p => Tag(p, "outcome") == "accepted" && p.GetSumLong() >= 1);
        Assert.Contains(Points(metrics, "blocklist.ingest.items"), p => Tag(p, "outcome") == "rejected" && Tag(p, "reason") is { Length: > 0 } reason && reason != "none");
        Assert.Contains(Points(metrics, "blocklist.poll.requests"), p => Tag(p, "result") == "not-modified" && p.GetSumLong() >= 1);
        Assert.Contains(Points(metrics, "blocklist.poll.requests"), p => Tag(p, "result") == "changed" && p.GetSumLong() >= 1);
        Assert.Contains(Points(metrics, "blocklist.isp.lag"), p => Tag(p, "list") == "eu" && p.GetHistogramCount() >= 2);
        Assert.Contains(Points(metrics, "blocklist.holds.open"), p => p.GetGaugeLastValueLong() >= 0);
        // No attribute of any span carries a key (or a part of one).
        foreach (var key in new[] { hotlineKey, adminKey, ispKey })
        {
            // The whole secret: base64url may contain '_', so splitting the presented key could leave a fragment short
            // enough to occur in any tag by chance.
            Assert.DoesNotContain(activities.SelectMany(a => a.TagObjects), tag => tag.Value?.ToString()?.Contains(key.Secret, StringComparison.Ordinal) == true);
        }

        Assert.DoesNotContain(activities.SelectMany(a => a.TagObjects), tag => tag.Key.Contains("authorization", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void A_span_attribute_carrying_a_key_or_a_query_string_is_removed_before_export()
    {
        using var source = new ActivitySource("redaction-test");
        var exported = new List<Activity>();
        using (var provider = Sdk.CreateTracerProviderBuilder().AddSource(source.Name)
                   .AddProcessor(new TelemetrySetup.SecretRedaction()).AddInMemoryExporter(exported).Build())
        using (var activity = source.StartActivity("call"))
        {
            activity!.SetTag("url.full", "https://example.test/api/v1/appeals/t1?secret=abc");
            activity.SetTag("url.query", "secret=abc");
            activity.SetTag("http.url", "http://127.0.0.1:10000/devstoreaccount1/artifacts/x?sv=2020&sig=abc");
            activity.SetTag("http.request.header.authorization", "Bearer bls_0123456789abcdef_secret");
            activity.SetTag("note", "key bls_0123456789abcdef_secret");
            activity.SetTag("http.route", "/api/v1/appeals/{ticket}");
        }

        var tags = Assert.Single(exported).TagObjects.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("https://example.test/api/v1/appeals/t1", tags["url.full"]);
        Assert.Equal("/api/v1/appeals/{ticket}", tags["http.route"]);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/artifacts/x", tags["http.url"]);
        Assert.False(tags.ContainsKey("url.query"));
        Assert.False(tags.ContainsKey("http.request.header.authorization"));
        Assert.False(tags.ContainsKey("note"));
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/", null, true)]
    [InlineData(null, "http://127.0.0.1:4317", true)]
    public void Export_is_on_only_when_a_connection_string_or_an_otlp_endpoint_is_set(string? connectionString, string? otlp, bool exports)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetrySetup.AzureMonitorVariable] = connectionString,
            [TelemetrySetup.OtlpVariable] = otlp,
        }).Build();
        var services = new ServiceCollection().AddLogging();

        services.AddBlocklistTelemetry(configuration);
        using var provider = services.BuildServiceProvider();

        Assert.NotNull(provider.GetService<BlocklistMetrics>());
        Assert.Equal(exports, provider.GetService<TracerProvider>() is not null);
        Assert.Equal(exports, provider.GetService<MeterProvider>() is not null);
    }

    private static List<MetricPoint> Points(List<Metric> metrics, string name)
    {
        var points = new List<MetricPoint>();
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                points.Add(point);
            }
        }

        Assert.True(points.Count > 0, $"no {name} recorded; recorded: {string.Join(", ", metrics.Select(m => m.Name).Distinct())}");
        return points;
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }
}
