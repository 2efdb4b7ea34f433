using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using BlocklistService.Cli.Exports;
using BlocklistService.Cli.Service;
using BlocklistService.Cli.State;
using BlocklistService.Cli.Sync;
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
/// The ISP sync end to end through the CLI's <see cref="ListSynchronizer"/> over real HTTP (Kestrel on 127.0.0.1 in
/// this process): a 1,000,000-entry snapshot from empty, then a 10,000-change delta, each with verification, the
/// atomic state write and the RPZ export. Baseline, same run: downloading and gunzipping the same snapshot bytes.
/// </summary>
public sealed class SyncBenchmark : IBenchmark
{
    public string Name => "sync";

    public string Description => "blocklist sync: 1M-entry snapshot (goal <= 10 s) and 10k-change delta (goal <= 1 s), with RPZ export, peak <= 500 MB; vs download+gunzip";

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

            return Results.Json(new { list = "eu", since, version = current, minimumWaitSeconds = 0, manifest = new { path = "manifest.json" }, steps });
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
            try
            {
                var store = new LocalStateStore(directory);
                using var keys = SignatureVerifier.FromSpki([signer.PublicKeySpki]);
                using var service = new ServiceClient(baseUri, null);
                var options = new SyncOptions(list, [ExportFormat.Rpz], new RpzOptions());
                GC.Collect();
                var before = Process.GetCurrentProcess().WorkingSet64;

                var full = Stopwatch.StartNew();
                var snapshotReport = await new ListSynchronizer(new UpdateFeed(service, TimeProvider.System), keys, store, options, TimeProvider.System).RunOnceAsync(cancellationToken);
                full.Stop();
                var peak = Process.GetCurrentProcess().PeakWorkingSet64;
                Check(snapshotReport, 1, size);
                context.Report($"sync snapshot of {size:N0} entries + RPZ export", full.Elapsed.TotalMilliseconds, "ms");
                context.Report("process working set before sync", before / 1048576.0, "MB");
                context.Report("process peak working set (incl. server files)", peak / 1048576.0, "MB");
                context.Report("rpz file size", new FileInfo(snapshotReport.Exports[0].Files[0].Path).Length / 1048576.0, "MB");

                Put(ArtifactPaths.Delta(list, 2), secondBytes);
                PublishManifest(2, secondBytes, finalCount, finalHash);

                // The delta from a cold start (what `sync --once` from cron does: read state.json, apply, write, export).
                var cold = Stopwatch.StartNew();
                var deltaReport = await new ListSynchronizer(new UpdateFeed(service, TimeProvider.System), keys, store, options, TimeProvider.System).RunOnceAsync(cancellationToken);
                cold.Stop();
                Check(deltaReport, 2, finalCount);
                if (File.ReadAllText(store.StatePath(list)).Contains(finalHash, StringComparison.Ordinal) is false)
                {
                    throw new InvalidOperationException("state hash not stored");
                }

                context.Report($"sync {changes:N0}-change delta + RPZ, cold (--once)", cold.Elapsed.TotalMilliseconds, "ms");
                context.Report("process peak working set after both", Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, "MB");
                context.Ratio("snapshot sync seconds", full.Elapsed.TotalSeconds, 10, higherIsBetter: false);
                context.Ratio("delta sync seconds (cold)", cold.Elapsed.TotalSeconds, 1, higherIsBetter: false);
                context.Ratio("peak working set MB", Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 500, higherIsBetter: false);
                context.Ratio("snapshot sync / baseline (download+gunzip)", full.Elapsed.TotalMilliseconds / baselineMs, 100, higherIsBetter: false);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        await app.StopAsync(cancellationToken);
    }

    private static void Check(SyncReport report, long version, long count)
    {
        if (report.Outcome != "updated" || report.Version != version || report.Entries != count)
        {
            throw new InvalidOperationException($"sync did not reach version {version}: {report}");
        }
    }

    private static ListEntry Entry(int i) => ListEntry.Create($"h{i:x8}.example/", EntryScope.Host, "csam");
}
