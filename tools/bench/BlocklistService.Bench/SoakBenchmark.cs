using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlocklistService.Cli.Exports;
using BlocklistService.Cli.State;
using BlocklistService.Cli.Sync;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Hosting;
using BlocklistService.Testing;

namespace BlocklistService.Bench;

/// <summary>
/// Load and faults on loopback: the server as its own process on Azurite as its own process; simulated ISPs (each its own
/// key and state directory, running the CLI's <see cref="ListSynchronizer"/>, which sends If-None-Match and honours
/// minimumWaitSeconds and Retry-After) poll while three hotlines submit in idempotent batches and an admin publishes
/// every 10 s. Meanwhile Azurite is frozen for 10 s (SIGSTOP/SIGCONT), killed and restarted, and the server is killed
/// with SIGKILL at random moments and restarted. At the end: every acknowledged item published, versions contiguous,
/// <c>blocklist audit verify</c> passes, every ISP at the current version with the verified state hash; poll latency
/// percentiles and the seconds to recover after each fault. Bounded: it ends once the load and the faults are done.
/// </summary>
public sealed class SoakBenchmark : IBenchmark
{
    private const int SigKill = 9;
    private const int BatchSize = 500;
    private static readonly ListName List = ListName.Parse("eu");
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PublishEvery = TimeSpan.FromSeconds(10);

    public string Name => "soak";

    public string Description =>
        "1,000 ISPs polling + 3 hotlines x 10,000 URLs + publish every 10 s, through Azurite frozen/killed and 20 server SIGKILLs (--scale scales counts)";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var ispCount = context.Scaled(1000);
        var perHotline = context.Scaled(10_000);
        var serverKills = context.Scaled(20);
        var output = context.Output;
        var directory = Path.Combine(Path.GetTempPath(), "blocklist-soak-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        output.WriteLine($"  {ispCount} ISPs, 3 hotlines x {perHotline} URLs, {serverKills} server kills; work directory {directory}");

        await using var azurite = await Azurite.StartOwnAsync(Path.Combine(directory, "azurite"), cancellationToken);
        using var signer = PemArtifactSigner.Generate();
        var keyFile = Path.Combine(directory, "signing-key.pem");
        await File.WriteAllTextAsync(keyFile, signer.ToPkcs8Pem(), cancellationToken);
        var admin = ApiKey.Generate();
        await using var server = new ServerProcess(context.RepositoryRoot, directory, new Dictionary<string, string?>
        {
            ["Storage__ConnectionString"] = azurite.ConnectionString,
            ["Signing__Provider"] = "pem",
            ["Signing__PemPath"] = keyFile,
            ["Bootstrap__Lists__0"] = "eu",
            ["Bootstrap__AdminKey"] = Bootstrapper.AdminKeySetting(admin),
            ["Publishing__Interval"] = "00:00:00",
            ["Publishing__MinimumWaitSeconds"] = "5",
            // the change guard would hold a first version of thousands of entries for an admin: not what is measured here
            ["Publishing__HoldShare"] = "1",
            ["Publishing__HoldChanges"] = "1000000",
            ["Publishing__HoldMinimumChanges"] = "1000000",
        });
        var startUp = await server.StartAsync(cancellationToken);
        context.Report("server start-up to ready", startUp.TotalSeconds, "s");

        var polls = new PollRecorder();
        using var timer = new PollTimer(polls, new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        using var http = new HttpClient(timer, disposeHandler: false)
        {
            BaseAddress = server.Address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var adminClient = Client(timer, http, admin.Value);
        adminClient.Timeout = TimeSpan.FromMinutes(5); // a publish cycle is cancelled with its request
        var hotlineKeys = new List<string>();
        for (var h = 0; h < 3; h++)
        {
            hotlineKeys.Add(await IssueAsync(adminClient, "hotline", $"soak-hotline-{h}", null, cancellationToken));
        }

        var auditorKey = await IssueAsync(adminClient, "auditor", "soak-auditor", null, cancellationToken);
        var ispKeys = new string[ispCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, ispCount), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) => ispKeys[i] = await IssueAsync(adminClient, "isp", $"soak-isp-{i}", ["eu"], ct));
        output.WriteLine($"  issued {ispCount + 4} keys");

        var clock = Stopwatch.StartNew();
        using var stopIsps = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var isps = Enumerable.Range(0, ispCount).Select(i => new SimulatedIsp(http, server.Address, ispKeys[i], signer.PublicKeySpki, Path.Combine(directory, "isp", i.ToString(CultureInfo.InvariantCulture)))).ToList();
        var ispTasks = isps.Select((isp, i) => isp.RunAsync(TimeSpan.FromMilliseconds(i * 5000.0 / ispCount), stopIsps.Token)).ToList();
        var acknowledged = new ConcurrentBag<(string Hotline, string SubmissionId, int Items)>();
        var hotlineErrors = new ConcurrentBag<string>();
        var hotlineTasks = hotlineKeys.Select((key, h) => SubmitAllAsync(Client(timer, http, key), h, perHotline, acknowledged, hotlineErrors, cancellationToken)).ToList();
        using var stopPublishing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var publishes = new PublishLog();
        var publisher = PublishLoopAsync(adminClient, publishes, stopPublishing.Token);
        var recoveries = new List<(string Fault, double Seconds)>();
        var faults = InjectFaultsAsync(azurite, server, serverKills, recoveries, output, cancellationToken);

        await Task.WhenAll(hotlineTasks.Append(faults));
        var remaining = Duration - clock.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, cancellationToken);
        }

        var loadSeconds = clock.Elapsed.TotalSeconds;
        await stopPublishing.CancelAsync();
        await publisher;
        await stopIsps.CancelAsync();
        await Task.WhenAll(ispTasks);

        // Settle: publish until every acknowledged item is published (a hold or a crashed plan finishes here).
        var status = await SettleAsync(adminClient, hotlineKeys, timer, http, acknowledged, cancellationToken);
        var current = await CurrentVersionAsync(Client(timer, http, ispKeys[0]), cancellationToken);
        var versions = await ManifestVersionsAsync(Client(timer, http, auditorKey), cancellationToken);
        var contiguous = versions.Count > 0 && versions.Select((v, i) => v == i + 1).All(ok => ok) && versions[^1] == current;
        var audit = await AuditVerifyAsync(context.RepositoryRoot, server.Address, auditorKey, signer.PublicKeyPem, directory, cancellationToken);
        var atCurrent = 0;
        var finalFailures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(isps, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (isp, ct) =>
        {
            var outcome = await isp.FinalSyncAsync(ct);
            if (outcome.Version == current)
            {
                Interlocked.Increment(ref atCurrent);
            }
            else
            {
                finalFailures.Add(outcome.Failure ?? $"at version {outcome.Version}");
            }
        });

        output.WriteLine();
        context.Report("load phase", loadSeconds, "s");
        context.Report("submissions acknowledged (202)", acknowledged.Count, "batches");
        context.Report("items acknowledged", acknowledged.Sum(a => a.Items), "items");
        context.Report("acknowledged items published", status.Published, "items");
        context.Report("acknowledged items lost", status.Missing, "items");
        context.Report("hotline retries (503, connection errors, 5xx)", hotlineErrors.Count, "requests");
        context.Report("publish runs ok / failed", publishes.Ok, $"/ {publishes.Failed} failed");
        if (publishes.LastFailure is not null)
        {
            output.WriteLine($"  last failed publish: {publishes.LastFailure}");
        }

        context.Report("list versions published", current, "versions");
        output.WriteLine($"  versions contiguous 1..{current}: {(contiguous ? "yes" : "NO: " + string.Join(',', versions))}");
        output.WriteLine($"  blocklist audit verify: {(audit.ExitCode == 0 ? "passed" : "FAILED")}: {audit.StandardOutput.Trim()} {audit.StandardError.Trim()}");
        context.Report("ISPs at the current version, state hash verified", atCurrent, $"of {ispCount}");
        foreach (var failure in finalFailures.GroupBy(f => f).Take(5))
        {
            output.WriteLine($"    {failure.Count()} ISP(s): {failure.Key}");
        }

        var summary = polls.Summary();
        context.Report("polls", summary.Count, "requests");
        context.Report("poll p50", summary.P50, "ms");
        context.Report("poll p95", summary.P95, "ms");
        context.Report("poll p99", summary.P99, "ms");
        context.Report("poll max", summary.Max, "ms");
        foreach (var (statusCode, count) in summary.Statuses.OrderBy(s => s.Key))
        {
            output.WriteLine($"  poll answers {statusCode}: {count}");
        }

        context.Report("ISP sync errors (connection refused while the server was down, 5xx)", isps.Sum(i => i.Errors), "cycles");
        foreach (var (fault, seconds) in recoveries)
        {
            context.Report($"recovery after {fault}", seconds, "s");
        }

        context.Ratio("acknowledged items lost", status.Missing, 0, higherIsBetter: false);
        context.Ratio("ISPs not at the current version", ispCount - atCurrent, 0, higherIsBetter: false);
        context.Ratio("poll p99 ms", summary.P99, 1000, higherIsBetter: false);
        if (status.Missing == 0 && atCurrent == ispCount && audit.ExitCode == 0 && contiguous)
        {
            Directory.Delete(directory, recursive: true);
        }
        else
        {
            output.WriteLine($"  kept {directory} (server logs: server-*.log)");
        }
    }

    private static async Task InjectFaultsAsync(Azurite azurite, ServerProcess server, int serverKills, List<(string, double)> recoveries, TextWriter output, CancellationToken cancellationToken)
    {
        var random = new Random(17);
        await Task.Delay(TimeSpan.FromSeconds(8), cancellationToken);
        output.WriteLine("  fault: Azurite frozen for 10 s");
        azurite.Freeze();
        await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
        azurite.Thaw();
        recoveries.Add(("Azurite frozen 10 s (from SIGCONT)", (await server.WaitReadyAsync(cancellationToken)).TotalSeconds));

        await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        output.WriteLine("  fault: Azurite killed and restarted");
        await azurite.KillAsync();
        var restart = Stopwatch.StartNew();
        await azurite.RestartAsync(cancellationToken);
        await server.WaitReadyAsync(cancellationToken);
        recoveries.Add(("Azurite killed and restarted (from the kill)", restart.Elapsed.TotalSeconds));

        for (var k = 0; k < serverKills; k++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 3000)), cancellationToken);
            server.Kill();
            var down = Stopwatch.StartNew();
            await server.StartAsync(cancellationToken);
            recoveries.Add(($"server SIGKILL {k + 1} (restart to ready)", down.Elapsed.TotalSeconds));
        }

        output.WriteLine($"  faults done: {serverKills} server kills");
    }

    private static async Task SubmitAllAsync(HttpClient client, int hotline, int count, ConcurrentBag<(string, string, int)> acknowledged, ConcurrentBag<string> errors, CancellationToken cancellationToken)
    {
        var verifiedAt = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        for (var start = 0; start < count; start += BatchSize)
        {
            var items = new JsonArray();
            for (var i = start; i < Math.Min(count, start + BatchSize); i++)
            {
                items.Add(new JsonObject
                {
                    ["action"] = "add", ["url"] = $"http://soak-{hotline}.example/item/{i}.jpg", ["scope"] = "exact", ["lists"] = new JsonArray("eu"),
                    ["category"] = "csam", ["reference"] = $"SOAK-{hotline}-{i}", ["verifiedAt"] = verifiedAt, ["verifiedBy"] = new JsonArray("analyst-a", "analyst-b"),
                });
            }

            var body = new JsonObject { ["items"] = items }.ToJsonString();
            var key = $"soak-{hotline}-{start}";
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var wait = TimeSpan.FromSeconds(1);
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/submissions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                    request.Headers.Add("Idempotency-Key", key);
                    using var response = await client.SendAsync(request, cancellationToken);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        var receipt = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                        acknowledged.Add(($"soak-hotline-{hotline}", receipt.GetProperty("submissionId").GetString()!, receipt.GetProperty("accepted").GetInt32()));
                        break;
                    }

                    errors.Add($"{(int)response.StatusCode}");
                    wait = response.Headers.RetryAfter?.Delta ?? wait;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    errors.Add(e.GetType().Name);
                }

                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    private static async Task PublishLoopAsync(HttpClient admin, PublishLog log, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(PublishEvery, cancellationToken);
                try
                {
                    using var response = await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "soak: publish every 10 s" }), cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        log.Ok++;
                    }
                    else
                    {
                        log.Failed++;
                        log.LastFailure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    log.Failed++;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<(int Published, int Missing)> SettleAsync(
        HttpClient admin, List<string> hotlineKeys, HttpMessageHandler timer, HttpClient http, ConcurrentBag<(string Hotline, string SubmissionId, int Items)> acknowledged, CancellationToken cancellationToken)
    {
        var clients = hotlineKeys.Select((key, h) => ($"soak-hotline-{h}", Client(timer, http, key))).ToDictionary(c => c.Item1, c => c.Item2);
        var published = 0;
        var missing = 0;
        for (var round = 0; round < 10; round++)
        {
            await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "soak: publish every 10 s" }), cancellationToken);
            published = 0;
            missing = 0;
            foreach (var (hotline, id, _) in acknowledged)
            {
                var status = await clients[hotline].GetFromJsonAsync<JsonElement>($"/api/v1/submissions/{id}", cancellationToken);
                foreach (var item in status.GetProperty("items").EnumerateArray())
                {
                    if (item.GetProperty("state").GetString() == "published")
                    {
                        published++;
                    }
                    else if (item.GetProperty("state").GetString() != "rejected")
                    {
                        missing++;
                    }
                }
            }

            if (missing == 0)
            {
                break;
            }
        }

        return (published, missing);
    }

    private static async Task<long> CurrentVersionAsync(HttpClient isp, CancellationToken cancellationToken) =>
        (await isp.GetFromJsonAsync<JsonElement>("/api/v1/lists/eu/updates?since=0", cancellationToken)).GetProperty("currentVersion").GetInt64();

    private static async Task<List<long>> ManifestVersionsAsync(HttpClient auditor, CancellationToken cancellationToken)
    {
        var versions = new List<long>();
        long? from = 1;
        while (from is { } next)
        {
            var page = await auditor.GetFromJsonAsync<JsonElement>($"/api/v1/audit/lists/eu/manifests?from={next}", cancellationToken);
            versions.AddRange(page.GetProperty("manifests").EnumerateArray().Select(m => m.GetProperty("version").GetInt64()));
            from = page.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt64() : null;
        }

        return versions;
    }

    private static async Task<ProcessResult> AuditVerifyAsync(string root, Uri api, string auditorKey, string publicKeyPem, string directory, CancellationToken cancellationToken)
    {
        var cli = Path.Combine(root, "tools", "BlocklistService.Cli", "bin", "Release", "net10.0", "blocklist.dll");
        var pem = Path.Combine(directory, "service-public.pem");
        await File.WriteAllTextAsync(pem, publicKeyPem, cancellationToken);
        return await ProcessRunner.RunAsync("dotnet", [cli, "audit", "verify", "--key", pem], environment: new Dictionary<string, string?>
        {
            ["BLOCKLIST_API_URL"] = api.AbsoluteUri,
            ["BLOCKLIST_API_KEY"] = auditorKey,
            ["BLOCKLIST_STATE_DIR"] = Path.Combine(directory, "auditor"),
        }, timeout: TimeSpan.FromMinutes(5), cancellationToken: cancellationToken);
    }

    private static async Task<string> IssueAsync(HttpClient admin, string role, string organisation, string[]? lists, CancellationToken cancellationToken)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/admin/keys", new { role, organisation, lists, reason = "soak: simulated party" }, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("key").GetString()!;
    }

    /// <summary>A client that sends one key's Authorization header, over the shared connection pool.</summary>
    private static HttpClient Client(HttpMessageHandler handler, HttpClient shared, string key)
    {
        var client = new HttpClient(handler, disposeHandler: false) { BaseAddress = shared.BaseAddress, Timeout = shared.Timeout };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private sealed class PublishLog
    {
        public int Ok { get; set; }

        public int Failed { get; set; }

        public string? LastFailure { get; set; }
    }

    /// <summary>Latency and status of every poll (<c>/updates</c>) the simulated ISPs send.</summary>
    private sealed class PollRecorder
    {
        private readonly ConcurrentBag<(double Milliseconds, int Status)> _polls = [];

        public void Add(double milliseconds, int status) => _polls.Add((milliseconds, status));

        public (int Count, double P50, double P95, double P99, double Max, Dictionary<int, int> Statuses) Summary()
        {
            var sorted = _polls.Select(p => p.Milliseconds).Order().ToArray();
            double At(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
            return (sorted.Length, At(0.50), At(0.95), At(0.99), sorted.Length == 0 ? 0 : sorted[^1],
                _polls.GroupBy(p => p.Status).ToDictionary(g => g.Key, g => g.Count()));
        }
    }

    private sealed class PollTimer(PollRecorder recorder, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri?.AbsolutePath.EndsWith("/updates", StringComparison.Ordinal) != true)
            {
                return await base.SendAsync(request, cancellationToken);
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                recorder.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds, (int)response.StatusCode);
                return response;
            }
            catch (HttpRequestException)
            {
                recorder.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 0);
                throw;
            }
        }
    }

    /// <summary>One ISP: its key, its state directory, the CLI's synchronizer, run as the daemon runs it.</summary>
    private sealed class SimulatedIsp(HttpClient shared, Uri api, string key, ReadOnlyMemory<byte> pinnedKey, string stateDirectory)
    {
        private readonly ListSynchronizer _sync = new(
            new UpdateFeed(new Cli.Service.ServiceClient(api, key, shared), TimeProvider.System),
            SignatureVerifier.FromSpki([pinnedKey]),
            new LocalStateStore(stateDirectory),
            new SyncOptions(List, [], new RpzOptions()),
            TimeProvider.System);

        public int Errors { get; private set; }

        public async Task RunAsync(TimeSpan offset, CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(offset, cancellationToken);
                while (!cancellationToken.IsCancellationRequested)
                {
                    TimeSpan wait;
                    try
                    {
                        wait = (await _sync.RunOnceAsync(cancellationToken)).NextPollIn;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        // as the daemon does: keep the last good state, try again shortly
                        Errors++;
                        wait = TimeSpan.FromSeconds(2);
                    }

                    await Task.Delay(wait, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        /// <summary>One more cycle now (the wait ignored): the version it holds afterwards, or why it could not.</summary>
        public async Task<(long Version, string? Failure)> FinalSyncAsync(CancellationToken cancellationToken)
        {
            try
            {
                var report = await _sync.RunOnceAsync(cancellationToken);
                if (report.Outcome == "retry-later")
                {
                    await Task.Delay(report.NextPollIn, cancellationToken);
                    report = await _sync.RunOnceAsync(cancellationToken);
                }

                return (report.Version, null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (-1, e.Message);
            }
        }
    }

    /// <summary>The server as the host runs it: <c>dotnet BlocklistService.Functions.dll</c> on a loopback port.</summary>
    private sealed class ServerProcess(string root, string directory, IReadOnlyDictionary<string, string?> settings) : IAsyncDisposable
    {
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
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
            info.ArgumentList.Add(dll);
            info.Environment["ASPNETCORE_URLS"] = Address.AbsoluteUri.TrimEnd('/');
            info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            info.Environment["Logging__Format"] = "simple";
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            foreach (var (key, value) in settings)
            {
                info.Environment[key] = value;
            }

            _process = Process.Start(info)!;
            var log = File.AppendText(Path.Combine(directory, $"server-{++_starts}.log"));
            _process.OutputDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
            _process.ErrorDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
            _process.Exited += (_, _) => { lock (log) { log.Flush(); } };
            _process.EnableRaisingEvents = true;
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
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

        public void Kill()
        {
            _ = SoakBenchmark.Kill(_process!.Id, SigKill);
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
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
