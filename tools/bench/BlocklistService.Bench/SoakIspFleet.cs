using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.Json;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Bench;

/// <summary>What the ISP process needs: the service, each ISP's key (its state directory is its index under <see cref="StateRoot"/>), the pinned signing key.</summary>
public sealed record SoakIspSpec(Uri Api, IReadOnlyList<string> Keys, string PinnedKeySpki, string StateRoot, string List);

/// <summary>A failed sync cycle: when (on the suite's clock) and the CLI's error code.</summary>
public sealed record SoakIspFailure(double Start, double End, string Code);

/// <summary>One ISP's load phase: its failed cycles, the cycles answered "retry later", each recovery, and a failure not yet recovered from.</summary>
public sealed record SoakIspOutcome(IReadOnlyList<SoakIspFailure> Failures, int RetryLater, IReadOnlyList<double> Recoveries, double? Unrecovered);

/// <summary>The ISP process's account of the load phase: every request (on the suite's clock), every ISP, its own GC pauses.</summary>
public sealed record SoakIspResults(IReadOnlyList<SoakRequest> Requests, IReadOnlyList<SoakIspOutcome> Isps, double GcPauseSeconds);

/// <summary>An ISP's last sync: the version it holds (state hash verified), or why it could not.</summary>
public sealed record SoakIspFinal(long Version, string? Failure);

/// <summary>
/// The simulated ISPs in a process of their own. A thousand ISPs verifying and applying each 30,000-entry version need
/// more CPU than 2 cores have beside the server and Azurite; in the suite's own process they starved its fault
/// injector, hotlines, publisher and readiness probe of threads and stalled them in GC (a recovery measured as 134 s
/// that the server's log put at 1.3 s). Here only the ISPs' own figures bear their load. Driven over stdin/stdout:
/// <c>go UNIX-MS</c> (the suite's clock origin) starts them, <c>stop</c> ends the load phase and writes the results,
/// <c>final</c> syncs every ISP once more.
/// </summary>
public sealed class SoakIspFleet : IAsyncDisposable
{
    public const string ChildArgument = "--soak-isps";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Process _process;
    private readonly string _directory;

    private SoakIspFleet(Process process, string directory)
    {
        _process = process;
        _directory = directory;
    }

    /// <summary>Starts the ISP process (this executable again) with <paramref name="spec"/>; the ISPs wait for <see cref="Go"/>.</summary>
    public static SoakIspFleet Start(string directory, SoakIspSpec spec)
    {
        var specPath = Path.Combine(directory, "isps.json");
        File.WriteAllText(specPath, JsonSerializer.Serialize(spec, Json));
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this executable's path");
        var info = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(SoakIspFleet).Assembly.Location);
        }

        info.ArgumentList.Add(ChildArgument);
        info.ArgumentList.Add(specPath);
        // the same GC as this process was given (tools/bench/run sets server GC for the soak)
        return new SoakIspFleet(Process.Start(info)!, directory);
    }

    /// <summary>The ISPs begin, their clock joined to the suite's, which started at <paramref name="origin"/>.</summary>
    public Task GoAsync(DateTimeOffset origin) =>
        _process.StandardInput.WriteLineAsync($"go {origin.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Ends the load phase: every ISP's loop stops; what they did.</summary>
    public async Task<SoakIspResults> StopAsync(CancellationToken cancellationToken)
    {
        await CommandAsync("stop", cancellationToken);
        return JsonSerializer.Deserialize<SoakIspResults>(await File.ReadAllTextAsync(Path.Combine(_directory, "isps-results.json"), cancellationToken), Json)!;
    }

    /// <summary>Every ISP syncs once more, now; the version each then holds.</summary>
    public async Task<IReadOnlyList<SoakIspFinal>> FinalSyncAsync(CancellationToken cancellationToken)
    {
        await CommandAsync("final", cancellationToken);
        return JsonSerializer.Deserialize<List<SoakIspFinal>>(await File.ReadAllTextAsync(Path.Combine(_directory, "isps-final.json"), cancellationToken), Json)!;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>Sends <paramref name="command"/> and waits for the process to answer it with the same word.</summary>
    private async Task CommandAsync(string command, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync(command);
        await _process.StandardInput.FlushAsync(cancellationToken);
        while (await _process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line == command)
            {
                return;
            }
        }

        throw new InvalidOperationException($"the ISP process ended before it answered '{command}' (exit code {(_process.HasExited ? _process.ExitCode : -1)})");
    }

    /// <summary>The ISP process: runs the ISPs of the spec at <paramref name="specPath"/> as the suite commands.</summary>
    public static async Task<int> RunChildAsync(string specPath)
    {
        var spec = JsonSerializer.Deserialize<SoakIspSpec>(await File.ReadAllTextAsync(specPath), Json)!;
        var directory = Path.GetDirectoryName(specPath)!;
        var go = await Console.In.ReadLineAsync() ?? string.Empty;
        var origin = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(go["go ".Length..], CultureInfo.InvariantCulture));
        var timeline = new SoakTimeline();
        timeline.Restart((DateTimeOffset.UtcNow - origin).TotalSeconds);

        using var traffic = new SoakTraffic(timeline, new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        using var http = new HttpClient(traffic, disposeHandler: false) { BaseAddress = spec.Api, Timeout = TimeSpan.FromSeconds(30) };
        var pinned = Convert.FromBase64String(spec.PinnedKeySpki);
        var list = ListName.Parse(spec.List);
        var isps = spec.Keys
            .Select((key, i) => new SimulatedIsp(http, spec.Api, key, pinned, Path.Combine(spec.StateRoot, i.ToString(CultureInfo.InvariantCulture)), list, timeline))
            .ToList();

        // a thousand ISPs' states are large and short-lived: no blocking full collections while the load runs
        GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
        var pausedBefore = GC.GetTotalPauseDuration();
        using var stop = new CancellationTokenSource();
        var loops = isps.Select((isp, i) => isp.RunAsync(TimeSpan.FromMilliseconds(i * 5000.0 / isps.Count), stop.Token)).ToList();
        await WaitForAsync("stop");
        await stop.CancelAsync();
        await Task.WhenAll(loops);
        var paused = GC.GetTotalPauseDuration() - pausedBefore;
        GCSettings.LatencyMode = GCLatencyMode.Interactive;
        var results = new SoakIspResults([.. traffic.Requests], [.. isps.Select(isp => isp.Outcome())], paused.TotalSeconds);
        await File.WriteAllTextAsync(Path.Combine(directory, "isps-results.json"), JsonSerializer.Serialize(results, Json));
        Console.WriteLine("stop");

        await WaitForAsync("final");
        var finals = new SoakIspFinal[isps.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, isps.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, ct) => finals[i] = await isps[i].FinalSyncAsync(ct));
        await File.WriteAllTextAsync(Path.Combine(directory, "isps-final.json"), JsonSerializer.Serialize(finals, Json));
        Console.WriteLine("final");
        return 0;
    }

    private static async Task WaitForAsync(string command)
    {
        while (await Console.In.ReadLineAsync() is { } line)
        {
            if (line.Trim() == command)
            {
                return;
            }
        }

        // the suite is gone: stop
        Environment.Exit(1);
    }
}
