using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlocklistService.Bench;

/// <summary>
/// The ISP sync end to end as an operator runs it: the real <c>blocklist sync --once --export rpz</c> process (the
/// CLI's ReadyToRun build from <c>tools/blocklist</c>, started as a child process under <c>/usr/bin/time</c> for its peak resident memory) against
/// signed artifacts served over HTTP by Kestrel on 127.0.0.1 in this process: a 1,000,000-entry snapshot from empty,
/// then a 10,000-change delta from a cold start, each with verification, the atomic state write and the RPZ export.
/// The times are the CLI process's wall times (start-up included). Baseline, same run: downloading and gunzipping the
/// same snapshot bytes in this process.
/// </summary>
public sealed class SyncBenchmark : IBenchmark
{
    public string Name => "sync";

    public string Description => "blocklist sync: 1M-entry snapshot (goal <= 10 s) and 10k-change delta (goal <= 1 s), with RPZ export, CLI peak <= 500 MB; real CLI process; vs download+gunzip";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var list = ListName.Parse("eu");
        var size = context.Scaled(1_000_000);
        var changes = Math.Min(context.Scaled(10_000), size);
        using var signer = PemArtifactSigner.Generate();
        var files = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        long current = 0;
        byte[]? previousManifest = null;
        SnapshotReference? snapshotRef = null;

        void Put(string path, byte[] bytes)
        {
            files[path] = bytes;
            files[ArtifactPaths.Signature(path)] = signer.Sign(bytes);
        }

        void PublishManifest(long version, byte[] deltaBytes, long count, string stateHash)
        {
            var now = DateTimeOffset.UtcNow;
            now = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero);
            var manifest = new Manifest
            {
                List = list,
                Version = version,
                EntryCount = count,
                StateHash = stateHash,
                Created = now,
                Expires = now.AddDays(7),
                Delta = ArtifactFile.Describe(ArtifactPaths.RelativeDelta(version), deltaBytes),
                Snapshot = snapshotRef,
                PreviousManifestSha256 = previousManifest is null ? null : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(previousManifest)),
                KeyId = signer.KeyId,
                Log = new LogReference(version, new string('0', 64)),
            }.ToJson();
            Put(ArtifactPaths.Manifest(list, version), manifest);
            Put(ArtifactPaths.CurrentManifest(list), manifest);
            previousManifest = manifest;
            current = version;
        }

        var build = Stopwatch.StartNew();
        var entries = Enumerable.Range(0, size).Select(Entry).ToList();
        var state = ListState.FromEntries(list, 0, []).Value;
        var first = Delta.Create(list, 0, 1, entries, []);
        state.Apply(first);
        var firstBytes = first.ToGzip();
        Put(ArtifactPaths.Delta(list, 1), firstBytes);
        var snapshotBytes = state.ToSnapshot().ToGzip();
        Put(ArtifactPaths.Snapshot(list, 1), snapshotBytes);
        var described = ArtifactFile.Describe(ArtifactPaths.RelativeSnapshot(1), snapshotBytes);
        snapshotRef = new SnapshotReference(1, described.Path, described.Sha256, described.Size);
        PublishManifest(1, firstBytes, state.Count, state.StateHash);
        var removed = Enumerable.Range(0, changes / 2).Select(i => entries[i * (size / Math.Max(1, changes / 2))].Id).ToList();
        var added = Enumerable.Range(size, changes - changes / 2).Select(Entry).ToList();
        var second = Delta.Create(list, 1, 2, added, removed);
        state.Apply(second);
        var secondBytes = second.ToGzip();
        files[ArtifactPaths.Delta(list, 2)] = secondBytes;
        var finalHash = state.StateHash;
        var finalCount = state.Count;
        entries = null;
        state = null;
        first = null;
        second = null;
        build.Stop();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        context.Report($"publish {size:N0} entries + {changes:N0}-change delta (one-off)", build.Elapsed.TotalMilliseconds, "ms");
        context.Report("snapshot gzip size", snapshotBytes.Length / 1048576.0, "MB");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/api/v1/lists/{name}/updates", (long since) =>
        {
            var steps = new List<object>();
            var from = since;
            if (since == 0)
            {
                steps.Add(new { kind = "snapshot", version = 1, path = ArtifactPaths.RelativeSnapshot(1) });
                from = 1;
            }

            for (var v = from + 1; v <= current; v++)
            {
                steps.Add(new { kind = "delta", version = v, path = ArtifactPaths.RelativeDelta(v) });
            }

            return Results.Json(new { list = "eu", since, currentVersion = current, upToDate = since == current, minimumWaitSeconds = 1, manifest = new { version = current, path = "manifest.json" }, steps });
        });
        app.MapGet("/api/v1/lists/{name}/artifacts/{**path}", (string name, string path) =>
            files.TryGetValue($"lists/{name}/{path}", out var bytes) ? Results.Bytes(bytes, "application/octet-stream") : Results.NotFound());
        await app.StartAsync(cancellationToken);
        var baseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        // Baseline: fetch the same snapshot bytes over the same HTTP server and gunzip them.
        using (var http = new HttpClient())
        {
            var watch = Stopwatch.StartNew();
            await using var body = await http.GetStreamAsync(new Uri(baseUri, "api/v1/lists/eu/artifacts/v/1/snapshot.json.gz"), cancellationToken);
            await using var gunzip = new GZipStream(body, CompressionMode.Decompress);
            await gunzip.CopyToAsync(Stream.Null, cancellationToken);
            watch.Stop();
            context.Report("baseline: download + gunzip snapshot", watch.Elapsed.TotalMilliseconds, "ms");
            var baselineMs = watch.Elapsed.TotalMilliseconds;

            var directory = Path.Combine(Path.GetTempPath(), "blocklist-sync-bench-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(directory);
            try
            {
                var pem = Path.Combine(directory, "service.pem");
                await File.WriteAllTextAsync(pem, signer.PublicKeyPem, cancellationToken);
                var cli = new CliProcess(context.RepositoryRoot, baseUri, Path.Combine(directory, "state"), pem);
                context.Output.WriteLine($"  CLI: {cli.Describe()}");
                context.Output.WriteLine($"  load average before: {await LoadAverageAsync(cancellationToken)}");

                var startUp = await cli.StartUpAsync(cancellationToken);
                context.Report("CLI start-up (blocklist state, nothing held)", startUp.Elapsed.TotalMilliseconds, "ms");
                var snapshotRun = await cli.SyncAsync(cancellationToken);
                Check(snapshotRun, 1, size);
                context.Report($"sync snapshot of {size:N0} entries + RPZ (CLI process)", snapshotRun.Elapsed.TotalMilliseconds, "ms");
                context.Report("CLI CPU time (user+sys), snapshot", snapshotRun.CpuSeconds * 1000, "ms");
                context.Report("CLI peak resident memory, snapshot", snapshotRun.PeakMegabytes, "MB");
                var store = new LocalStateStore(Path.Combine(directory, "state"));
                context.Report("state.bin size", new FileInfo(store.StatePath(list)).Length / 1048576.0, "MB");
                context.Report("rpz file size", new FileInfo(Path.Combine(store.ExportDirectory(list), "blocklist.rpz")).Length / 1048576.0, "MB");

                Put(ArtifactPaths.Delta(list, 2), secondBytes);
                PublishManifest(2, secondBytes, finalCount, finalHash);

                // From a cold start, as `sync --once` from cron runs: read the state head, merge, write, merge the export.
                var deltaRun = await cli.SyncAsync(cancellationToken);
                Check(deltaRun, 2, finalCount);
                if (store.ReadHeader(list).StateHash != finalHash)
                {
                    throw new InvalidOperationException("the state hash after the delta is not the published one");
                }

                context.Report($"sync {changes:N0}-change delta + RPZ, cold (CLI process)", deltaRun.Elapsed.TotalMilliseconds, "ms");
                context.Report("CLI CPU time (user+sys), delta", deltaRun.CpuSeconds * 1000, "ms");
                context.Report("CLI peak resident memory, delta", deltaRun.PeakMegabytes, "MB");
                context.Output.WriteLine($"  rpz export after the delta: {(deltaRun.RpzMerged ? "merged with the change" : "rewritten from the state")}");
                context.Output.WriteLine($"  load average after: {await LoadAverageAsync(cancellationToken)}");
                context.Ratio("snapshot sync seconds", snapshotRun.Elapsed.TotalSeconds, 10, higherIsBetter: false);
                context.Ratio("delta sync seconds (cold)", deltaRun.Elapsed.TotalSeconds, 1, higherIsBetter: false);
                context.Ratio("CLI peak resident MB", Math.Max(snapshotRun.PeakMegabytes, deltaRun.PeakMegabytes), 500, higherIsBetter: false);
                context.Ratio("snapshot sync / baseline (download+gunzip)", snapshotRun.Elapsed.TotalMilliseconds / baselineMs, 100, higherIsBetter: false);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        await app.StopAsync(cancellationToken);
    }

    private static void Check(CliSync run, long version, long count)
    {
        if (run.Outcome != "updated" || run.Version != version || run.Entries != count)
        {
            throw new InvalidOperationException($"sync did not reach version {version}: {run.Output}");
        }
    }

    private static async Task<string> LoadAverageAsync(CancellationToken cancellationToken) =>
        File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg", cancellationToken)).Trim() : "unknown";

    /// <summary>One <c>blocklist sync</c> run: its JSON answer, wall time and peak resident memory.</summary>
    private sealed record CliSync(string Outcome, long Version, long Entries, bool RpzMerged, TimeSpan Elapsed, double PeakMegabytes, double CpuSeconds, string Output);

    /// <summary>
    /// Runs the CLI as operators run it from the checkout: the ReadyToRun build <c>tools/blocklist</c> makes
    /// (<c>artifacts/blocklist-cli/blocklist.dll</c>, brought up to date before the first run) as a child process under
    /// <c>/usr/bin/time -f %M</c>, which reports its peak resident set.
    /// </summary>
    /// With <c>BLOCKLIST_BENCH_EXECUTABLE</c> set to a self-contained single-file <c>blocklist</c> (tools/package-cli
    /// writes one per runtime), that executable runs instead, as the Debian package installs it.
    private sealed class CliProcess(string root, Uri api, string stateDirectory, string trustedKey)
    {
        private readonly string _cli = Path.Combine(root, "artifacts", "blocklist-cli", "blocklist.dll");
        private readonly string _launcher = Path.Combine(root, "tools", "blocklist");
        private readonly string? _executable = Environment.GetEnvironmentVariable("BLOCKLIST_BENCH_EXECUTABLE") is { Length: > 0 } path ? Path.GetFullPath(path) : null;
        private bool _built;

        /// <summary>What runs: the single-file executable, or <c>dotnet</c> with the checkout's build.</summary>
        public string Describe() => _executable ?? $"dotnet {_cli}";

        public Task<CliSync> SyncAsync(CancellationToken cancellationToken) =>
            RunAsync(["sync", "--once", "--now", "--list", "eu", "--api-url", api.ToString(), "--state-dir", stateDirectory, "--trusted-key", trustedKey, "--export", "rpz", "--json"], cancellationToken);

        /// <summary>The same process doing the least a command does (<c>blocklist state</c> on an empty directory): start-up cost.</summary>
        public Task<CliSync> StartUpAsync(CancellationToken cancellationToken) =>
            RunAsync(["state", "--state-dir", stateDirectory + "-empty", "--json"], cancellationToken);

        private async Task<CliSync> RunAsync(string[] arguments, CancellationToken cancellationToken)
        {
            if (!_built && _executable is null)
            {
                // tools/blocklist rebuilds only when the sources changed; its own run is not measured.
                using var build = Process.Start(new ProcessStartInfo(_launcher, "--version") { RedirectStandardOutput = true, UseShellExecute = false })
                    ?? throw new InvalidOperationException("cannot start tools/blocklist");
                await build.WaitForExitAsync(cancellationToken);
                if (build.ExitCode != 0 || !File.Exists(_cli))
                {
                    throw new InvalidOperationException($"tools/blocklist could not build {_cli} (exit {build.ExitCode})");
                }

                _built = true;
            }

            var peakFile = Path.GetTempFileName();
            var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            string[] command = _executable is null ? ["dotnet", _cli] : [_executable];
            foreach (var argument in (string[])[ "-f", "%M %U %S", "-o", peakFile, .. command, .. arguments])
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["XDG_CONFIG_HOME"] = Path.Combine(stateDirectory, "config");
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start /usr/bin/time");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            watch.Stop();
            var text = await output;
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"blocklist sync exited with {process.ExitCode}: {text} {await error}");
            }

            var figures = (await File.ReadAllTextAsync(peakFile, cancellationToken)).Trim().Split('\n')[^1].Split(' ').Select(f => double.Parse(f, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            File.Delete(peakFile);
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            if (!root.TryGetProperty("outcome", out _))
            {
                return new CliSync("started", 0, 0, false, watch.Elapsed, figures[0] / 1024.0, figures[1] + figures[2], text);
            }

            var rpz = root.GetProperty("exports").EnumerateArray().FirstOrDefault(e => e.GetProperty("format").GetString() == "rpz");
            return new CliSync(
                root.GetProperty("outcome").GetString()!,
                root.GetProperty("version").GetInt64(),
                root.GetProperty("entries").GetInt64(),
                rpz.ValueKind == JsonValueKind.Object && rpz.GetProperty("merged").GetBoolean(),
                watch.Elapsed,
                figures[0] / 1024.0,
                figures[1] + figures[2],
                text);
        }
    }

    private static ListEntry Entry(int i) => ListEntry.Create($"h{i:x8}.example/", EntryScope.Host, "csam");
}
