using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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
/// with SIGKILL and restarted, each kill aimed at a moment a submission or a publish is in flight. Every request is
/// timed and classified (<see cref="SoakClassification"/>), every publish attempt recorded. At the end: every
/// acknowledged item published, versions contiguous, <c>blocklist audit verify</c> passes, every ISP at the current
/// version with the verified state hash; poll latency percentiles (all, and outside the fault windows) and the seconds
/// to recover after each fault. Bounded: it ends once the load and the faults are done.
/// </summary>
public sealed class SoakBenchmark : IBenchmark
{
    private const int BatchSize = 500;
    private static readonly ListName List = ListName.Parse("eu");
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PublishEvery = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Each hotline spreads its batches over at least this long, so that ingest is still going while the server kills
    /// run (they begin after the two storage faults, ≈ 35 s in, and take about a minute once the suite no longer stalls)
    /// and the publishes they aim at carry real changes rather than "nothing pending".
    /// </summary>
    private static readonly TimeSpan IngestWindow = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How long a kill not aimed at a publish waits for one in flight to finish: publishing the first tens of thousands of
    /// entries on Azurite takes 10–40 s on 2 cores, and a shorter wait killed every one of them.
    /// </summary>
    private static readonly TimeSpan PublishRunsFor = TimeSpan.FromSeconds(45);

    /// <summary>The load goes on this long after the last fault's recovery, so every party shows it recovered while under load.</summary>
    private static readonly TimeSpan RecoveryTail = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Azurite and the server run at this niceness, the simulated parties (this process, the ISP process) at 0: the ISPs would be on other
    /// machines, and here a thousand of them verifying and applying every version share the server's 2 cores. At −10
    /// the service's processes get about nine tenths of a contended core (needs root; otherwise <c>nice</c> warns and
    /// they run at 0, which the report says).
    /// </summary>
    private const int ServiceNiceness = -10;

    public string Name => "soak";

    public string Description =>
        "1,000 ISPs polling + 3 hotlines x 10,000 URLs + publish every 10 s, through Azurite frozen/killed and 20 server SIGKILLs during ingest and publish (--scale scales counts)";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var ispCount = context.Scaled(1000);
        var perHotline = context.Scaled(10_000);
        var serverKills = context.Scaled(20);
        var output = context.Output;
        var directory = Path.Combine(Path.GetTempPath(), "blocklist-soak-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var commit = (await ProcessRunner.RunAsync("git", ["-C", context.RepositoryRoot, "rev-parse", "--short", "HEAD"], cancellationToken: cancellationToken)).StandardOutput.Trim();
        output.WriteLine($"  {ispCount} ISPs, 3 hotlines x {perHotline} URLs, {serverKills} server kills; commit {commit}; {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {BenchSeeding.LoadAverage()}; work directory {directory}");

        await using var azurite = await Azurite.StartOwnAsync(Path.Combine(directory, "azurite"), cancellationToken, ServiceNiceness);
        using var signer = PemArtifactSigner.Generate();
        var keyFile = Path.Combine(directory, "signing-key.pem");
        await File.WriteAllTextAsync(keyFile, signer.ToPkcs8Pem(), cancellationToken);
        var admin = ApiKey.Generate();
        await using var server = new SoakServer(context.RepositoryRoot, directory, new Dictionary<string, string?>
        {
            ["Storage__ConnectionString"] = azurite.ConnectionString,
            ["Signing__Provider"] = "pem",
            ["Signing__PemPath"] = keyFile,
            ["Bootstrap__Lists__0"] = "eu",
            ["Bootstrap__AdminKey"] = Bootstrapper.AdminKeySetting(admin),
            ["Publishing__Interval"] = "00:00:00",
            // every ISP fetches, verifies and applies each new version on the same 2 cores as the server and Azurite:
            // 15 s spreads a thousand of them over 15 s (production's default is 60 s)
            ["Publishing__MinimumWaitSeconds"] = "15",
            // the server's own request log gives poll times free of the simulated parties' queueing (SoakServerLog)
            ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
            // the change guard would hold a first version of thousands of entries for an admin: not what is measured here
            ["Publishing__HoldShare"] = "1",
            ["Publishing__HoldChanges"] = "1000000",
            ["Publishing__HoldMinimumChanges"] = "1000000",
        }, ServiceNiceness);
        var startUp = await server.StartAsync(cancellationToken);
        context.Report("server start-up to ready", startUp.TotalSeconds, "s");
        output.WriteLine($"  niceness: server {server.Niceness()?.ToString(CultureInfo.InvariantCulture) ?? "?"}, Azurite {SoakServer.ProcessNiceness(azurite.ProcessId)?.ToString(CultureInfo.InvariantCulture) ?? "?"}, simulated parties {SoakServer.ProcessNiceness(Environment.ProcessId)?.ToString(CultureInfo.InvariantCulture) ?? "?"}; the ISPs in a process of their own");

        var timeline = new SoakTimeline();
        using var traffic = new SoakTraffic(timeline, new SocketsHttpHandler { MaxConnectionsPerServer = 512, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        using var http = new HttpClient(traffic, disposeHandler: false)
        {
            BaseAddress = server.Address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        var adminClient = Client(traffic, http, admin.Value);
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

        await using var isps = SoakIspFleet.Start(directory, new SoakIspSpec(
            server.Address, ispKeys, Convert.ToBase64String(signer.PublicKeySpki.Span), Path.Combine(directory, "isp"), List.Value));
        var requestsBefore = traffic.Requests.Count;
        timeline.Restart();
        var origin = DateTimeOffset.UtcNow;
        await isps.GoAsync(origin);

        var pausedBefore = GC.GetTotalPauseDuration();
        var loadStart = timeline.Now;
        var acknowledged = new ConcurrentBag<(string Hotline, string SubmissionId, int Items)>();
        var writers = new SoakGate();
        var hotlines = Task.WhenAll(hotlineKeys.Select((key, h) => SubmitAllAsync(Client(traffic, http, key), h, perHotline, acknowledged, writers, cancellationToken)));
        using var stopPublishing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var publishes = new ConcurrentQueue<PublishAttempt>();
        var publisher = PublishLoopAsync(adminClient, publishes, writers, timeline, stopPublishing.Token, cancellationToken);
        var recoveries = new List<(string Fault, double Seconds)>();
        var faults = InjectFaultsAsync(new FaultPlan(azurite, server, serverKills, timeline, traffic, writers, hotlines, recoveries, output), cancellationToken);

        await Task.WhenAll(hotlines, faults);
        var remaining = Max(Duration - TimeSpan.FromSeconds(timeline.Now - loadStart), RecoveryTail);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, cancellationToken);
        }

        var loadSeconds = timeline.Now - loadStart;
        await stopPublishing.CancelAsync();
        await publisher;
        var ispResults = await isps.StopAsync(cancellationToken);
        var ispsStopped = timeline.Now;
        var loadRequests = traffic.Requests.Skip(requestsBefore).Concat(ispResults.Requests).ToList();
        var paused = GC.GetTotalPauseDuration() - pausedBefore;

        // Settle: publish until every acknowledged item is published (a crashed plan finishes here).
        var status = await SettleAsync(adminClient, hotlineKeys, traffic, http, acknowledged, publishes, timeline, cancellationToken);
        var current = await CurrentVersionAsync(Client(traffic, http, ispKeys[0]), cancellationToken);
        var versions = await ManifestVersionsAsync(Client(traffic, http, auditorKey), cancellationToken);
        var contiguous = versions.Count > 0 && versions.Select((v, i) => v == i + 1).All(ok => ok) && versions[^1] == current;
        var audit = await AuditVerifyAsync(context.RepositoryRoot, server.Address, auditorKey, signer.PublicKeyPem, directory, cancellationToken);
        var finals = await isps.FinalSyncAsync(cancellationToken);
        var atCurrent = finals.Count(f => f.Version == current);
        var finalFailures = finals.Where(f => f.Version != current).Select(f => f.Failure ?? $"at version {f.Version}").ToList();

        output.WriteLine();
        output.WriteLine($"  finished {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {BenchSeeding.LoadAverage()}");
        context.Report("load phase", loadSeconds, "s");
        context.Report("submissions acknowledged (202)", acknowledged.Count, "batches");
        context.Report("items acknowledged", acknowledged.Sum(a => a.Items), "items");
        context.Report("acknowledged items published", status.Published, "items");
        context.Report("acknowledged items lost", status.Missing, "items");
        context.Report("list versions published", current, "versions");
        output.WriteLine($"  versions contiguous 1..{current}: {(contiguous ? "yes" : "NO: " + string.Join(',', versions))}");
        output.WriteLine($"  blocklist audit verify: {(audit.ExitCode == 0 ? "passed" : "FAILED")}: {audit.StandardOutput.Trim()} {audit.StandardError.Trim()}");
        context.Report("ISPs at the current version, state hash verified", atCurrent, $"of {ispCount}");
        foreach (var failure in finalFailures.GroupBy(f => f).Take(5))
        {
            output.WriteLine($"    {failure.Count()} ISP(s): {failure.Key}");
        }

        ReportPublishes(output, publishes, timeline);
        var kills = timeline.Faults.Where(f => f.Kind == SoakFaultKind.Server).ToList();
        output.WriteLine($"  server kills: {kills.Count}; with a submission in flight: {kills.Count(k => k.Note.Contains("submitting", StringComparison.Ordinal))}; " +
                         $"with a publish in flight: {kills.Count(k => k.Note.Contains("publishing", StringComparison.Ordinal))}");
        foreach (var kill in kills)
        {
            output.WriteLine($"    {kill.Name} at {kill.Start:0.0} s: {kill.Note}");
        }

        var classes = SoakClassification.Of(loadRequests, timeline);
        output.WriteLine($"  requests in the load phase: {loadRequests.Count}");
        context.Report("answered (2xx, 304)", classes.Answered, "requests");
        context.Report("429 (rate limits, deliberate)", classes.Throttled, "requests");
        context.Report("503 storage-unavailable during a fault", classes.UnavailableDuringFaults, "requests");
        context.Report("connection refused while the server was down", classes.RefusedWhileServerDown, "requests");
        context.Report("in flight when the server was killed", classes.DroppedByKills, "requests");
        context.Report("errors: 5xx, unexpected status or connection failure", classes.Errors.Values.Sum(), "requests");
        foreach (var (what, count) in classes.Errors.OrderByDescending(e => e.Value))
        {
            output.WriteLine($"    {count} x {what}");
        }

        ReportIsps(context, ispResults.Isps, timeline);
        // latency of the polls the service answered; connection failures (the server killed) are counted above
        var polls = loadRequests.Where(r => r.Route == SoakRoute.Poll).ToList();
        var answeredPolls = polls.Where(p => p.Failure is null).ToList();
        var all = SoakLatency.Of(answeredPolls);
        var quiet = SoakLatency.Of(answeredPolls.Where(p => !timeline.During(p.Start, p.End)));
        ReportPollLatency(context, "", "polls answered", all, quiet);
        var served = SoakServerLog.Polls(directory, origin).Where(p => p.End <= ispsStopped).ToList();
        var serverSide = SoakLatency.Of(served);
        var serverQuiet = SoakLatency.Of(served.Where(p => !timeline.During(p.Start, p.End)));
        ReportPollLatency(context, "server-side ", "server-side: polls in the server's request log", serverSide, serverQuiet);
        context.Report("suite process GC pauses in the load phase", paused.TotalSeconds, "s");
        context.Report("ISP process GC pauses in the load phase", ispResults.GcPauseSeconds, "s");
        output.WriteLine("  polls by 10 s of the load phase, client-side | server-side (* = a fault window meets it):");
        var servedBySlice = served.GroupBy(p => (int)(p.Start / 10)).ToDictionary(g => g.Key, g => SoakLatency.Of(g));
        foreach (var slice in answeredPolls.GroupBy(p => (int)(p.Start / 10)).OrderBy(g => g.Key))
        {
            var latency = SoakLatency.Of(slice);
            var side = servedBySlice.GetValueOrDefault(slice.Key) ?? new SoakLatency(0, 0, 0, 0, 0);
            var faulty = timeline.During(slice.Key * 10, (slice.Key * 10) + 10) ? "*" : " ";
            output.WriteLine($"    {slice.Key * 10,4}-{(slice.Key * 10) + 10,-4} s{faulty} {latency.Count,6} polls p50 {latency.P50,6:0} p99 {latency.P99,6:0} max {latency.Max,6:0} ms | " +
                             $"{side.Count,6} p50 {side.P50,6:0} p99 {side.P99,6:0} max {side.Max,6:0} ms");
        }

        foreach (var (statusCode, count) in polls.GroupBy(p => p.Failure ?? p.Status.ToString(CultureInfo.InvariantCulture)).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())))
        {
            output.WriteLine($"  poll answers {statusCode}: {count}");
        }

        foreach (var (fault, seconds) in recoveries)
        {
            context.Report($"recovery after {fault}", seconds, "s");
        }

        context.Ratio("acknowledged items lost", status.Missing, 0, higherIsBetter: false);
        context.Ratio("errors (5xx, unexpected)", classes.Errors.Values.Sum(), 0, higherIsBetter: false);
        context.Ratio("ISPs not at the current version", ispCount - atCurrent, 0, higherIsBetter: false);
        context.Ratio("poll p99 ms", all.P99, 1000, higherIsBetter: false);
        context.Ratio("poll p99 ms outside fault windows", quiet.P99, 1000, higherIsBetter: false);
        context.Ratio("server-side poll p99 ms", serverSide.P99, 1000, higherIsBetter: false);
        if (status.Missing == 0 && atCurrent == ispCount && audit.ExitCode == 0 && contiguous && classes.Errors.Count == 0)
        {
            // the bulk (a thousand ISP states, Azurite's data) goes; the server logs stay for a look at any figure
            Directory.Delete(Path.Combine(directory, "isp"), recursive: true);
            Directory.Delete(Path.Combine(directory, "azurite"), recursive: true);
        }

        // the run's keys and signing key are throwaway, but keys are not left lying about
        File.Delete(Path.Combine(directory, "isps.json"));
        File.Delete(keyFile);

        output.WriteLine($"  kept {directory} (server logs: server-*.log)");
    }

    /// <summary>What the fault injector works with.</summary>
    private sealed record FaultPlan(
        Azurite Azurite, SoakServer Server, int ServerKills, SoakTimeline Timeline, SoakTraffic Traffic, SoakGate Writers, Task Hotlines,
        List<(string, double)> Recoveries, TextWriter Output);

    /// <summary>One latency summary, all polls and those outside fault windows, the same lines client- and server-side.</summary>
    private static void ReportPollLatency(BenchmarkContext context, string side, string countLabel, SoakLatency all, SoakLatency quiet)
    {
        context.Report(countLabel, all.Count, "requests");
        context.Report($"{side}poll p50", all.P50, "ms");
        context.Report($"{side}poll p95", all.P95, "ms");
        context.Report($"{side}poll p99", all.P99, "ms");
        context.Report($"{side}poll max", all.Max, "ms");
        context.Report($"{side}polls outside fault windows", quiet.Count, "requests");
        context.Report($"{side}poll p50 outside fault windows", quiet.P50, "ms");
        context.Report($"{side}poll p99 outside fault windows", quiet.P99, "ms");
        context.Report($"{side}poll max outside fault windows", quiet.Max, "ms");
    }

    /// <summary>
    /// At 8 s Azurite is frozen for 10 s; 3 s after the service is ready again the writers are held, and 6 s after the
    /// last write Azurite is killed and restarted (Azurite saves its on-disk database every 5 s: a kill sooner would
    /// lose writes the emulator acknowledged, which Table Storage does not). Then the server kills: every fourth waits
    /// for a publish in flight and then a random 0–3 s; the others, while the hotlines are still submitting, wait for a
    /// submission in flight, and once they are done land at a random moment when no publish is in flight (so that
    /// versions come out between the aimed kills); then a random 0–250 ms.
    /// </summary>
    private static async Task InjectFaultsAsync(FaultPlan plan, CancellationToken cancellationToken)
    {
        var (azurite, server, timeline, traffic) = (plan.Azurite, plan.Server, plan.Timeline, plan.Traffic);
        var random = new Random(17);
        await Task.Delay(TimeSpan.FromSeconds(8), cancellationToken);
        plan.Output.WriteLine($"  fault at {timeline.Now:0.0} s: Azurite frozen for 10 s");
        var freeze = timeline.Begin("Azurite frozen 10 s", SoakFaultKind.Storage);
        azurite.Freeze();
        await Task.Delay(TimeSpan.FromSeconds(10), cancellationToken);
        azurite.Thaw();
        var thawed = timeline.Now;
        await server.WaitReadyAsync(cancellationToken);
        freeze.Recovered(timeline.Now);
        plan.Recoveries.Add(("Azurite frozen 10 s (from SIGCONT)", timeline.Now - thawed));

        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        plan.Writers.Close();
        await WaitUntilAsync(() => traffic.SubmissionsInFlight == 0 && traffic.PublishesInFlight == 0, TimeSpan.FromMinutes(2), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(6), cancellationToken);
        plan.Output.WriteLine($"  fault at {timeline.Now:0.0} s: Azurite killed and restarted");
        var kill = timeline.Begin("Azurite killed and restarted", SoakFaultKind.Storage);
        await azurite.KillAsync();
        await azurite.RestartAsync(cancellationToken);
        await server.WaitReadyAsync(cancellationToken);
        kill.Recovered(timeline.Now);
        plan.Recoveries.Add(("Azurite killed and restarted (from the kill)", timeline.Now - kill.Start));
        plan.Writers.Open();

        for (var k = 0; k < plan.ServerKills; k++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 1500)), cancellationToken);
            string aim;
            if (k % 4 == 3)
            {
                // somewhere in the cycle, not only at its start: a publish writes its decision, then the plan, then files
                aim = "aimed at a publish";
                await WaitUntilAsync(() => traffic.PublishesInFlight > 0, PublishEvery + TimeSpan.FromSeconds(2), cancellationToken);
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 3000)), cancellationToken);
            }
            else if (!plan.Hotlines.IsCompleted)
            {
                // while ingest runs, a submission in flight is the target (waiting for publishes to end let ingest finish first)
                aim = "aimed at a submission";
                await WaitUntilAsync(() => traffic.SubmissionsInFlight > 0, TimeSpan.FromSeconds(5), cancellationToken);
            }
            else
            {
                aim = "at a random moment (ingest done)";
                // once ingest is done the other kills leave publishes alone, so versions still come out between the aimed ones
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 2000)), cancellationToken);
                await WaitUntilAsync(() => traffic.PublishesInFlight == 0, PublishRunsFor, cancellationToken);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 250)), cancellationToken);
            var (submitting, publishing) = (traffic.SubmissionsInFlight, traffic.PublishesInFlight);
            var fault = timeline.Begin($"server SIGKILL {k + 1}", SoakFaultKind.Server);
            server.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            fault.Note = $"{aim}; {(submitting > 0 ? $"{submitting} submitting" : "no submission")}, {(publishing > 0 ? "publishing" : "no publish")} in flight";
            await server.StartAsync(cancellationToken);
            fault.Recovered(timeline.Now);
            plan.Recoveries.Add(($"server SIGKILL {k + 1} (kill to ready)", timeline.Now - fault.Start));
            plan.Output.WriteLine($"  server SIGKILL {k + 1} at {fault.Start:0.0} s, ready after {timeline.Now - fault.Start:0.0} s; server side: {server.StartupReport(server.Starts, killedAt)}");
        }

        plan.Output.WriteLine($"  faults done at {timeline.Now:0.0} s: {plan.ServerKills} server kills");
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan atMost, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + atMost;
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>
    /// One hotline: its URLs in batches of 500, each with its own Idempotency-Key, spread over <see cref="IngestWindow"/>;
    /// a batch is sent again (same key) after a 503, a 5xx or a connection failure until it is acknowledged.
    /// </summary>
    private static async Task SubmitAllAsync(HttpClient client, int hotline, int count, ConcurrentBag<(string, string, int)> acknowledged, SoakGate writers, CancellationToken cancellationToken)
    {
        var verifiedAt = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var batches = (count + BatchSize - 1) / BatchSize;
        var pace = IngestWindow / batches;
        var started = DateTime.UtcNow;
        for (var batch = 0; batch < batches; batch++)
        {
            var start = batch * BatchSize;
            var due = started + (pace * batch) - DateTime.UtcNow;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }

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
                await writers.WaitOpenAsync(cancellationToken);
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

                    wait = response.Headers.RetryAfter?.Delta ?? wait;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    // recorded and classified by SoakTraffic; the same batch goes again
                }

                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    /// <summary>One <c>POST /api/v1/admin/publish</c>: when it started (suite seconds), how long it took, what came back.</summary>
    private sealed record PublishAttempt(string Phase, double Start, double Seconds, bool Answered, string Outcome);

    /// <summary>
    /// A publish every 10 s (from one attempt's start to the next; at once when one took longer). Stopping lets an
    /// attempt in flight finish, so its outcome is recorded rather than cut off by the suite.
    /// </summary>
    private static async Task PublishLoopAsync(HttpClient admin, ConcurrentQueue<PublishAttempt> log, SoakGate writers, SoakTimeline timeline, CancellationToken stop, CancellationToken cancellationToken)
    {
        var next = timeline.Now + PublishEvery.TotalSeconds;
        try
        {
            while (true)
            {
                var due = next - timeline.Now;
                if (due > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(due), stop);
                }

                await writers.WaitOpenAsync(stop);
                next = timeline.Now + PublishEvery.TotalSeconds;
                log.Enqueue(await PublishOnceAsync(admin, "load", timeline, cancellationToken));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static async Task<PublishAttempt> PublishOnceAsync(HttpClient admin, string phase, SoakTimeline timeline, CancellationToken cancellationToken)
    {
        var start = timeline.Now;
        string outcome;
        var answered = false;
        try
        {
            using var response = await admin.PostAsync("/api/v1/admin/publish", JsonContent.Create(new { reason = $"soak: {phase} publish" }), cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                answered = true;
                outcome = string.Join(", ", answer.GetProperty("lists").EnumerateArray()
                    .Select(l => $"{l.GetProperty("outcome").GetString()} v{l.GetProperty("version").GetInt64()}"));
            }
            else
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                outcome = $"{(int)response.StatusCode} {(body.Length > 160 ? body[..160] : body)}";
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            outcome = $"connection {SoakTraffic.FailureOf(e)}";
        }

        return new PublishAttempt(phase, start, timeline.Now - start, answered, outcome);
    }

    private static void ReportPublishes(TextWriter output, ConcurrentQueue<PublishAttempt> publishes, SoakTimeline timeline)
    {
        var attempts = publishes.ToList();
        var ok = attempts.Count(a => a.Answered);
        output.WriteLine($"  publish attempts: {attempts.Count} ({ok} answered 200, {attempts.Count - ok} not)");
        foreach (var a in attempts)
        {
            var killed = timeline.Faults.Where(f => f.Kind == SoakFaultKind.Server && f.Start >= a.Start && f.Start <= a.Start + a.Seconds).Select(f => f.Name).ToList();
            var storage = timeline.Faults.Where(f => f.Kind == SoakFaultKind.Storage && a.Start <= (f.End ?? double.MaxValue) && a.Start + a.Seconds >= f.Start).Select(f => f.Name).ToList();
            var during = string.Join("; ", killed.Concat(storage));
            output.WriteLine($"    {a.Phase,-6} at {a.Start,6:0.0} s, {a.Seconds,6:0.00} s: {a.Outcome}{(during.Length > 0 ? $"  [during: {during}]" : string.Empty)}");
        }
    }

    private static void ReportIsps(BenchmarkContext context, IReadOnlyList<SoakIspOutcome> isps, SoakTimeline timeline)
    {
        // A failed cycle is the fault itself when a fault was on and the failure is the CLI's "try again later" kind
        // (its transient codes, less server-error: a 5xx other than 503 is never deliberate): the server down or killed
        // mid-download, a download answered 503 while storage was down. Anything else (a refused signature, a hash
        // mismatch) is an error.
        string[] transient = ["unreachable", "timeout", "refused-download", "server-busy"];
        bool Deliberate(SoakIspFailure f) => transient.Contains(f.Code) && timeline.During(f.Start, f.End);
        var failures = isps.SelectMany(isp => isp.Failures).ToList();
        var deliberate = failures.Count(Deliberate);
        var failing = isps.Where(isp => isp.Failures.Count > 0).ToList();
        var recovered = failing.Count(isp => isp.Unrecovered is null);
        context.Report("ISP sync cycles answered retry-later (503/429)", isps.Sum(i => i.RetryLater), "cycles");
        context.Report("ISP sync cycles failed during a fault (transient)", deliberate, "cycles");
        context.Report("ISP sync cycles failed otherwise (errors)", failures.Count - deliberate, "cycles");
        foreach (var group in failures.Where(f => !Deliberate(f)).GroupBy(f => f.Code))
        {
            context.Output.WriteLine($"    {group.Count()} x {group.Key}");
        }

        context.Report("ISPs with a failed cycle, every one followed by a good cycle", recovered, $"of {failing.Count} (the rest: in the final sync)");
        var recoveries = SoakLatency.Of(isps.SelectMany(isp => isp.Recoveries).Select(seconds => seconds * 1000));
        context.Report("ISP recoveries (failed cycles, then a good one)", recoveries.Count, "times");
        context.Report("ISP recovery: failure to next good cycle, p50", recoveries.P50 / 1000, "s");
        context.Report("ISP recovery: failure to next good cycle, p99", recoveries.P99 / 1000, "s");
        context.Report("ISP recovery: failure to next good cycle, max", recoveries.Max / 1000, "s");
    }

    private static async Task<(int Published, int Missing)> SettleAsync(
        HttpClient admin, List<string> hotlineKeys, HttpMessageHandler handler, HttpClient http, ConcurrentBag<(string Hotline, string SubmissionId, int Items)> acknowledged,
        ConcurrentQueue<PublishAttempt> publishes, SoakTimeline timeline, CancellationToken cancellationToken)
    {
        var clients = hotlineKeys.Select((key, h) => ($"soak-hotline-{h}", Client(handler, http, key))).ToDictionary(c => c.Item1, c => c.Item2);
        var published = 0;
        var missing = 0;
        for (var round = 0; round < 10; round++)
        {
            publishes.Enqueue(await PublishOnceAsync(admin, "settle", timeline, cancellationToken));
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
}
