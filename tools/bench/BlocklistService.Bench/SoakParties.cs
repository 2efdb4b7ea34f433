using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using BlocklistService.Cli;
using BlocklistService.Cli.Exports;
using BlocklistService.Cli.State;
using BlocklistService.Cli.Sync;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;

namespace BlocklistService.Bench;

/// <summary>
/// One ISP: its key, its state directory, the CLI's synchronizer, run as the daemon runs it. Keeps when each failed
/// cycle ran and why (the CLI's error code), and when its last good cycle ended, so the suite can show that it
/// recovered from every failure.
/// </summary>
public sealed class SimulatedIsp(HttpClient shared, Uri api, string key, ReadOnlyMemory<byte> pinnedKey, string stateDirectory, ListName list, SoakTimeline timeline)
{
    private readonly ListSynchronizer _sync = new(
        new UpdateFeed(new Cli.Service.ServiceClient(api, key, shared), TimeProvider.System),
        SignatureVerifier.FromSpki([pinnedKey]),
        new LocalStateStore(stateDirectory),
        new SyncOptions(list, [], new RpzOptions()),
        TimeProvider.System);

    /// <summary>Failed cycles: when they ran and the CLI's code (<c>unreachable</c>, <c>refused-download</c>, …).</summary>
    public List<(double Start, double End, string Code)> Failures { get; } = [];

    /// <summary>Cycles the service answered "retry later" (503 or 429 with Retry-After): not failures, counted.</summary>
    public int RetryLater { get; private set; }

    /// <summary>When the last cycle that reached a version (or confirmed it) ended; −1 before the first.</summary>
    public double LastGood { get; private set; } = -1;

    /// <summary>For each run of failed cycles, seconds from the end of its last failure to the next good cycle's end.</summary>
    public List<double> Recoveries { get; } = [];

    /// <summary>The end of a failed cycle no good cycle has followed yet (null when none is pending).</summary>
    public double? Unrecovered { get; private set; }

    public async Task RunAsync(TimeSpan offset, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(offset, cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan wait;
                var start = timeline.Now;
                try
                {
                    var report = await _sync.RunOnceAsync(cancellationToken);
                    wait = report.NextPollIn;
                    if (report.Outcome == "retry-later")
                    {
                        RetryLater++;
                    }
                    else
                    {
                        Good();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // as the daemon does: keep the last good state, try again shortly
                    Failures.Add((start, timeline.Now, e is CliException cli ? cli.Code : e.GetType().Name));
                    Unrecovered = timeline.Now;
                    wait = TimeSpan.FromSeconds(2);
                }

                await Task.Delay(wait, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void Good()
    {
        LastGood = timeline.Now;
        if (Unrecovered is { } since)
        {
            Recoveries.Add(LastGood - since);
            Unrecovered = null;
        }
    }

    /// <summary>What the suite reports of this ISP's load phase.</summary>
    public SoakIspOutcome Outcome() =>
        new([.. Failures.Select(f => new SoakIspFailure(f.Start, f.End, f.Code))], RetryLater, [.. Recoveries], Unrecovered);

    /// <summary>One more cycle now (the wait ignored): the version it holds afterwards, or why it could not.</summary>
    public async Task<SoakIspFinal> FinalSyncAsync(CancellationToken cancellationToken)
    {
        try
        {
            var report = await _sync.RunOnceAsync(cancellationToken);
            if (report.Outcome == "retry-later")
            {
                await Task.Delay(report.NextPollIn, cancellationToken);
                report = await _sync.RunOnceAsync(cancellationToken);
            }

            return new SoakIspFinal(report.Version, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new SoakIspFinal(-1, e.Message);
        }
    }
}

/// <summary>
/// The server as the host runs it: <c>dotnet BlocklistService.Functions.dll</c> on a loopback port, killed with SIGKILL
/// on demand; under <c>nice -n <paramref name="niceness"/></c> (as <see cref="Azurite.StartOwnAsync"/>); its console
/// log goes to <c>server-N.log</c> in <paramref name="directory"/>, one file per start.
/// </summary>
public sealed class SoakServer(string root, string directory, IReadOnlyDictionary<string, string?> settings, int niceness = 0) : IAsyncDisposable
{
    private const int SigKill = 9;

    private readonly int _port = FreePort();
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private Process? _process;
    private int _starts;

    public Uri Address => new($"http://127.0.0.1:{_port}/");

    public async Task<TimeSpan> StartAsync(CancellationToken cancellationToken)
    {
        var dll = Path.Combine(root, "functions", "BlocklistService.Functions", "bin", "Release", "net10.0", "BlocklistService.Functions.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: dotnet build BlocklistService.sln -c Release");
        }

        var started = Stopwatch.StartNew();
        // The log goes straight to a file, not through a pipe this process reads: when the simulated parties stall
        // this process (GC), a full pipe would block the server's logging and stall the server with it. bash, not sh:
        // dash drops variables whose names are not identifiers (Logging__LogLevel__Microsoft.AspNetCore...). bash and
        // nice exec the next program, so the process id (SIGKILL) stays the server's own.
        var log = Path.Combine(directory, $"server-{++_starts}.log");
        var info = new ProcessStartInfo("/bin/bash") { UseShellExecute = false, WorkingDirectory = Path.GetDirectoryName(dll)! };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec nice -n \"$0\" dotnet \"$1\" >> \"$2\" 2>&1");
        info.ArgumentList.Add(niceness.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add(log);
        info.Environment["ASPNETCORE_URLS"] = Address.AbsoluteUri.TrimEnd('/');
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // the JSON console log (the default): UTC timestamps, so the suite can place the server's own request times
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        // start-up's own account of each attempt (which step failed, how long it took): SoakServer.StartupReport
        info.Environment["Logging__LogLevel__BlocklistService.Functions.Hosting.StorageInitializer"] = "Information";
        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        _process = Process.Start(info)!;
        await WaitReadyAsync(cancellationToken);
        return started.Elapsed;
    }

    /// <summary>Waits until the server is live and storage ready; the time it took.</summary>
    public async Task<TimeSpan> WaitReadyAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            try
            {
                using var ready = await _probe.GetAsync(new Uri(Address, "api/health/ready"), cancellationToken);
                if (ready.IsSuccessStatusCode)
                {
                    return clock.Elapsed;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException("the server did not become ready within 3 minutes");
    }

    /// <summary>The niceness the running server has (from <c>/proc</c>), to print beside the figures; null when unknown.</summary>
    public int? Niceness() => ProcessNiceness(_process?.Id);

    /// <summary>The niceness of process <paramref name="pid"/> (field 19 of <c>/proc/PID/stat</c>), null when unknown.</summary>
    public static int? ProcessNiceness(int? pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// What start number <paramref name="start"/> (1-based) logged of its storage preparation, placed after
    /// <paramref name="killedAt"/> by the log's own UTC timestamps (so a stall of this process does not count): when it
    /// listened, each failed attempt's step and cause, and when storage was ready (the last start-up step done).
    /// </summary>
    public string StartupReport(int start, DateTimeOffset killedAt)
    {
        var path = Path.Combine(directory, $"server-{start}.log");
        if (!File.Exists(path))
        {
            return "no log";
        }

        var events = new List<string>();
        var startUp = SoakServerLog.Entries(path, line => line.Contains("Now listening", StringComparison.Ordinal) || line.Contains("\"Storage ", StringComparison.Ordinal));
        foreach (var (at, message, _) in startUp)
        {
            var found = System.Text.RegularExpressions.Regex.Match(
                message, @"^(Now listening|Storage not ready: start-up step \w+ failed on attempt \d+ \([^)]*\)|Storage ready after \d+ attempt\(s\) in [\d.]+ s)");
            if (found.Success)
            {
                var what = found.Value.Replace("Storage not ready: start-up step ", "failed: ", StringComparison.Ordinal);
                events.Add($"{what} at +{(at - killedAt).TotalSeconds:0.0} s");
            }
        }

        return events.Count == 0 ? "start-up logged nothing yet" : string.Join("; ", events);
    }

    /// <summary>How many times the server has been started.</summary>
    public int Starts => _starts;

    public void Kill()
    {
        _ = Signal(_process!.Id, SigKill);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _probe.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
