using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using BlocklistService.Cli.Exports;
using BlocklistService.Cli.Service;
using BlocklistService.Cli.State;
using BlocklistService.Cli.Sync;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Publishing;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Bench;

/// <summary>
/// Push to ISPs: 200 sync clients (the <c>blocklist sync</c> daemon's own <see cref="ListSynchronizer"/> with its
/// long poll, in this process, each with its own state directory and HTTP connection) wait on one server. Measured:
/// the time from <c>POST /api/v1/admin/publish</c> returning, and from <c>POST …/revert</c> returning, to every client
/// having verified and applied the new version (p50, p99, max; goal p99 ≤ 5 s). Then 1,000 idle long polls wait
/// and the process's CPU time over 10 s is taken (goal ≤ 5 % of one core), against the same process idle with no
/// waiters (baseline, same run). The clients run in the same process, so that CPU figure bounds the server's from above.
/// </summary>
public sealed class PushBenchmark : IBenchmark
{
    public string Name => "push";

    public string Description => "publish/revert -> 200 long-polling sync clients applied (goal p99 <= 5 s); CPU with 1,000 idle waiters (goal <= 5 % of a core) vs idle";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var clients = context.Scaled(200);
        var waiters = context.Scaled(1000);
        await using var azurite = await Azurite.StartAsync(cancellationToken);
        await using var service = await LocalService.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            ["Publishing:Interval"] = "00:00:00",
            ["Publishing:HoldMinimumChanges"] = "1000000",
        }, cancellationToken);
        using var admin = service.Client(await service.IssueAdminKeyAsync(cancellationToken));
        using var hotline = service.Client(await LocalService.IssueKeyAsync(admin, "hotline", "bench-hotline", null, cancellationToken));
        var ispKey = await LocalService.IssueKeyAsync(admin, "isp", "bench-isp", ["eu"], cancellationToken);
        await LocalService.SubmitAsync(hotline, Enumerable.Range(0, 50).Select(i => $"http://push-base{i}.example/page"), cancellationToken);
        await LocalService.PublishAsync(admin, cancellationToken);

        using var anonymous = new HttpClient { BaseAddress = service.Address };
        var keySet = KeySet.FromJson(await anonymous.GetByteArrayAsync("/api/v1/keys", cancellationToken)).Value;
        var pems = keySet.Keys.Select(k => k.PublicKeyPem).ToList();
        var root = Directory.CreateTempSubdirectory("push-bench");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var applied = new (long Version, long At)[clients];
        var loops = Enumerable.Range(0, clients).Select(i => RunClientAsync(i, service.Address, ispKey, pems, Path.Combine(root.FullName, $"c{i}"), applied, stop.Token)).ToList();
        try
        {
            await UntilAllAsync(applied, 1, TimeSpan.FromMinutes(3), cancellationToken);
            context.Output.WriteLine($"  {clients} sync clients at version 1, long-polling");
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);

            // publish: 20 new entries
            await LocalService.SubmitAsync(hotline, Enumerable.Range(0, 20).Select(i => $"http://push-new{i}.example/page"), cancellationToken);
            await LocalService.PublishAsync(admin, cancellationToken);
            var published = Stopwatch.GetTimestamp();
            await UntilAllAsync(applied, 2, TimeSpan.FromMinutes(2), cancellationToken);
            Report(context, "publish", applied, published);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);

            // emergency revert to version 1
            using (var response = await admin.PostAsJsonAsync("/api/v1/admin/lists/eu/revert", new { toVersion = 1, reason = "push benchmark" }, cancellationToken))
            {
                await LocalService.Expect(response, System.Net.HttpStatusCode.OK, cancellationToken);
            }

            var reverted = Stopwatch.GetTimestamp();
            await UntilAllAsync(applied, 3, TimeSpan.FromMinutes(2), cancellationToken);
            Report(context, "revert", applied, reverted);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops.Select(l => l.ContinueWith(_ => { }, TaskScheduler.Default)));
        }

        // idle: the process alone, then with idle long polls waiting
        var idle = await CpuShareAsync(TimeSpan.FromSeconds(10), cancellationToken);
        using var ispHttp = service.Client(ispKey);
        ispHttp.Timeout = TimeSpan.FromMinutes(2);
        using var idleStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var notifier = service.Services.GetRequiredService<HeadNotifier>();
        var polls = Enumerable.Range(0, waiters).Select(_ => IdlePollAsync(ispHttp, idleStop.Token)).ToList();
        var deadline = Stopwatch.StartNew();
        while (notifier.Waiting < waiters && deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(100, cancellationToken);
        }

        context.Report("idle long polls waiting", notifier.Waiting, "requests");
        var busy = await CpuShareAsync(TimeSpan.FromSeconds(10), cancellationToken);
        await idleStop.CancelAsync();
        await Task.WhenAll(polls);
        context.Report("process CPU, idle, no waiters (baseline)", idle * 100, "% of a core");
        context.Report($"process CPU with {waiters} idle waiters", busy * 100, "% of a core");
        context.Ratio("CPU with idle waiters (% of one core)", busy * 100, 5, higherIsBetter: false);
        root.Delete(recursive: true);
    }

    /// <summary>The daemon loop of <c>blocklist sync</c>: one cycle, then wait what the report says (zero while long polling).</summary>
    private static async Task RunClientAsync(int index, Uri address, string key, IReadOnlyList<string> pems, string directory, (long Version, long At)[] applied, CancellationToken cancellationToken)
    {
        using var service = new ServiceClient(address, key);
        using var verifier = SignatureVerifier.FromPem(pems).Value;
        var store = new LocalStateStore(directory);
        var synchronizer = new ListSynchronizer(new UpdateFeed(service, TimeProvider.System), verifier, store,
            new SyncOptions(ListName.Parse("eu"), [], new RpzOptions(), null, TimeSpan.FromSeconds(55)), TimeProvider.System);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var report = await synchronizer.RunOnceAsync(cancellationToken);
                if (report.Version > applied[index].Version)
                {
                    applied[index] = (report.Version, Stopwatch.GetTimestamp());
                }

                if (report.NextPollIn > TimeSpan.Zero)
                {
                    await Task.Delay(report.NextPollIn, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static async Task IdlePollAsync(HttpClient isp, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await isp.GetAsync("/api/v1/lists/eu/updates?since=3&wait=60", cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task UntilAllAsync((long Version, long At)[] applied, long version, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (applied.Any(a => a.Version < version))
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"{applied.Count(a => a.Version < version)} clients did not apply version {version} within {limit}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static void Report(BenchmarkContext context, string what, (long Version, long At)[] applied, long start)
    {
        var seconds = applied.Select(a => Stopwatch.GetElapsedTime(start, a.At).TotalSeconds).Order().ToList();
        context.Report($"{what} -> all {seconds.Count} applied: p50", seconds[seconds.Count / 2], "s");
        context.Report($"{what} -> all {seconds.Count} applied: max", seconds[^1], "s");
        context.Ratio($"{what} -> applied, p99 (s)", seconds[Math.Min(seconds.Count - 1, (int)Math.Ceiling(seconds.Count * 0.99) - 1)], 5, higherIsBetter: false);
    }

    /// <summary>This process's CPU time over <paramref name="window"/> as a share of one core.</summary>
    private static async Task<double> CpuShareAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        using var process = Process.GetCurrentProcess();
        var before = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.Delay(window, cancellationToken);
        process.Refresh();
        return (process.TotalProcessorTime - before).TotalSeconds / clock.Elapsed.TotalSeconds;
    }
}
