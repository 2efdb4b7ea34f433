using System.Net;
using System.Net.Sockets;
using BlocklistService.Domain.Publishing;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Publishing;
using BlocklistService.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlocklistService.Functions.Tests.Hosting;

/// <summary>
/// The settings the Functions host passes (<c>FUNCTIONS_CUSTOMHANDLER_PORT</c>, <c>PUBLISH_SCHEDULE</c>) and the
/// <c>Bootstrap</c> section, read by the real server as <c>Program</c> composes it: honoured when well formed, and a
/// malformed one stops start-up with a message naming the setting, before anything is served or stored.
/// </summary>
public sealed class HostSettingsTests : IAsyncLifetime
{
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), Azurite.UniqueName("host-key") + ".pem");

    public async Task InitializeAsync()
    {
        using var signer = PemArtifactSigner.Generate();
        await File.WriteAllTextAsync(_keyFile, signer.ToPkcs8Pem());
    }

    public Task DisposeAsync()
    {
        File.Delete(_keyFile);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Under_the_Functions_host_the_server_listens_on_its_loopback_port_and_says_when_its_timer_fires()
    {
        var port = FreePort();
        await using var app = Build(new()
        {
            [FunctionsHostOptions.PortKey] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [FunctionsHostOptions.PublishScheduleKey] = "0 */5 * * * *",
        });
        await app.StartAsync();

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);

        // the timer's own schedule, not the local scheduler's interval
        var next = app.Services.GetRequiredService<PublishTimerClock>().NextRun();
        Assert.NotNull(next);
        Assert.True(TimerSchedule.TryParse("0 */5 * * * *", out var schedule));
        Assert.Equal(schedule!.NextAfter(next.Value.AddSeconds(-1)), next);
        Assert.Equal(0, next.Value.Minute % 5);
        await app.StopAsync();
    }

    [Fact]
    public async Task Standalone_the_next_run_is_the_local_schedulers_tick()
    {
        await using var app = Build(new() { ["urls"] = $"http://127.0.0.1:{FreePort()}", ["Publishing:Interval"] = "00:10:00" });
        var before = DateTimeOffset.UtcNow;
        await app.StartAsync();

        var next = await WaitForAsync(() => app.Services.GetRequiredService<PublishTimerClock>().NextRun());
        Assert.InRange(next, before.AddMinutes(10).AddSeconds(-1), DateTimeOffset.UtcNow.AddMinutes(10).AddSeconds(1));
        await app.StopAsync();
    }

    [Theory]
    [InlineData(FunctionsHostOptions.PublishScheduleKey, "every minute", FunctionsHostOptions.PublishScheduleKey)]
    [InlineData(FunctionsHostOptions.PortKey, "70000", FunctionsHostOptions.PortKey)]
    [InlineData(FunctionsHostOptions.PortKey, "seventy", FunctionsHostOptions.PortKey)]
    [InlineData("Bootstrap:Lists:0", "EU list", "Bootstrap:Lists")]
    [InlineData("Bootstrap:AdminKey", "0123456789abcdef:not-a-hash", "Bootstrap:AdminKey")]
    [InlineData("Bootstrap:ApiUrl", "not a url", "Bootstrap:ApiUrl")]
    public async Task A_malformed_setting_stops_start_up_naming_it(string key, string value, string named)
    {
        var port = FreePort();

        // Kestrel reads the host settings when the app is built, the rest are checked when it starts
        var refused = await Record.ExceptionAsync(async () =>
        {
            await using var app = Build(new() { ["urls"] = $"http://127.0.0.1:{port}", [key] = value });
            await app.StartAsync();
        });

        Assert.NotNull(refused);
        Assert.Contains(named, Flatten(refused), StringComparison.Ordinal);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/"));
    }

    private WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // nothing listens there: these tests never need storage to answer
            ["Storage:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:{FreePort()}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{FreePort()}/devstoreaccount1",
            ["Signing:Provider"] = "pem",
            ["Signing:PemPath"] = _keyFile,
            ["Startup:RequestWait"] = "00:00:00",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.UseCustomHandlerPort();
        builder.Services.AddBlocklistService(builder.Configuration);
        var app = builder.Build();
        app.MapBlocklistService();
        return app;
    }

    private static string Flatten(Exception e) => e is AggregateException all
        ? string.Join(" | ", all.InnerExceptions.Select(Flatten))
        : e.Message + (e.InnerException is { } inner ? " | " + Flatten(inner) : string.Empty);

    private static async Task<DateTimeOffset> WaitForAsync(Func<DateTimeOffset?> read)
    {
        for (var i = 0; i < 100; i++)
        {
            if (read() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the local scheduler never announced its next tick");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
