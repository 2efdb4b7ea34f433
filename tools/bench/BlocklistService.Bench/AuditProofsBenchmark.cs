using System.Diagnostics;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Audit;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Data.Tables;
using BlocklistService.Testing;

namespace BlocklistService.Bench;

/// <summary>
/// The transparency log on Azurite, at 1,000,000 leaves: append rate of <see cref="TransparencyLogStore.AppendBatchAsync"/>
/// (leaf rows, history rows, tiles, a signed checkpoint per batch) as the publisher appends a version (2,000 distinct
/// entries, on an empty log and again at 1M) and in bulk (the seeding: 16,384-leaf batches about 1,024 recurring
/// entries, so that its history rows batch up and the log reaches 1M within minutes on a shared machine); then
/// inclusion and consistency proof latency and storage reads through <see cref="TransparencyLogReader"/>, and entry
/// history lookups. Goal: proofs p95 ≤ 50 ms, reads ≤ 2·log2(n). Baseline, same run: one point read of a tile.
/// Seeding stops at the goal size or after a time budget (10 minutes at scale 1), and says which.
/// </summary>
public sealed class AuditProofsBenchmark : IBenchmark
{
    private const int SeedBatch = 16_384;
    private const int VersionBatch = 2_000;
    private const int Samples = 200;
    private const int SeedEntries = 1_024;

    public string Name => "audit-proofs";

    public string Description => "transparency log append rate (leaves/s) and proof latency/reads at 1M leaves; goal proofs p95 <= 50 ms, reads <= 2*log2(n); vs one point read";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var target = context.Scaled(1_000_000);
        var budget = TimeSpan.FromSeconds(600 * Math.Min(1, context.Scale));
        await using var azurite = await Azurite.StartAsync(cancellationToken);
        var storage = new PublishStorage(new TableServiceClient(azurite.ConnectionString), new BlobServiceClient(azurite.ConnectionString), Azurite.UniqueName("a")[..12]);
        var names = new PublishStorageNames();
        await storage.CreateAsync(names, cancellationToken);
        using var signer = PemArtifactSigner.Generate();
        var log = new TransparencyLogStore(storage.Rows, new SignedFiles(storage.Blobs, signer), new NoPendingBatches(), names);
        context.Output.WriteLine($"  load average at start: {BenchSeeding.LoadAverage()}");

        // 1. one version's batch as the publisher appends it, on an empty log
        var version = 1L;
        var (size, emptyRate) = await AppendTimedAsync(log, 0, VersionBatch, version++, cancellationToken);
        var distinct = size;

        // 2. bulk: the same store, 16,384-leaf batches about distinct entries, up to the goal size
        var stopwatch = Stopwatch.StartNew();
        var seeded = size;
        while (size < target && stopwatch.Elapsed < budget)
        {
            var count = (int)Math.Min(SeedBatch, target - size);
            var batch = await log.AppendBatchAsync("eu", version, $"plan-{version}", BenchSeeding.AddLeaves("eu", size, count, version, n => $"seed{n % SeedEntries}.example/page"), DateTimeOffset.UtcNow, cancellationToken);
            version++;
            size = batch.Size;
        }

        var seedSeconds = stopwatch.Elapsed.TotalSeconds;
        var seedRate = (size - seeded) / seedSeconds;
        context.Output.WriteLine($"  load average after seeding: {BenchSeeding.LoadAverage()}");

        // 3. proofs at the size reached, through the auditor API's reader
        var reader = new TransparencyLogReader(new AuditStorage(storage.Rows, storage.Blobs));
        var (headSize, headRoot) = await reader.GetHeadAsync(cancellationToken);
        var random = new Random(6962);
        var tiles = storage.Table(names.LogTiles);
        var pointReads = new List<double>();
        for (var i = 0; i < Samples; i++)
        {
            var tile = new TileCoordinate(0, random.NextInt64(headSize / LogTiles.Width));
            stopwatch.Restart();
            await tiles.GetEntityIfExistsAsync<TableEntity>(LogLayout.TilePartition(tile), LogLayout.Key(tile.Index), [LogLayout.HashesProperty], cancellationToken);
            pointReads.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        if (!(await reader.RootAtAsync(headSize, cancellationToken)).AsSpan().SequenceEqual(headRoot))
        {
            throw new InvalidOperationException($"the root recomputed from tiles at {headSize} differs from the head's");
        }

        var inclusion = new List<double>();
        var consistency = new List<double>();
        var (maxInclusionReads, maxConsistencyReads) = (0, 0);
        await reader.InclusionProofAsync(0, headSize, cancellationToken); // warm-up
        for (var i = 0; i < Samples; i++)
        {
            var index = random.NextInt64(headSize);
            stopwatch.Restart();
            var proof = await reader.InclusionProofAsync(index, headSize, cancellationToken);
            inclusion.Add(stopwatch.Elapsed.TotalMilliseconds);
            maxInclusionReads = Math.Max(maxInclusionReads, proof.StorageReads);
            var leaf = await reader.GetLeafAsync(index, cancellationToken) ?? throw new InvalidOperationException($"leaf {index} is missing");
            if (!MerkleVerifier.VerifyInclusion(index, headSize, leaf.LeafHash(), proof.Hashes, headRoot))
            {
                throw new InvalidOperationException($"inclusion proof of leaf {index} in {headSize} does not verify");
            }

            var first = 1 + random.NextInt64(headSize - 1);
            stopwatch.Restart();
            var consistent = await reader.ConsistencyProofAsync(first, headSize, cancellationToken);
            consistency.Add(stopwatch.Elapsed.TotalMilliseconds);
            maxConsistencyReads = Math.Max(maxConsistencyReads, consistent.StorageReads);
            if (i % 20 == 0 && !MerkleVerifier.VerifyConsistency(first, headSize, await reader.RootAtAsync(first, cancellationToken), headRoot, consistent.Hashes))
            {
                throw new InvalidOperationException($"consistency proof {first} -> {headSize} does not verify");
            }
        }

        // 4. entry history lookups of the first version's distinct entries (one index query + the leaves), and a
        //    version's append at the size reached
        var history = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var n = random.NextInt64(distinct);
            stopwatch.Restart();
            var found = await reader.HistoryAsync(EntryId.ForExpression(Expression(n)), cancellationToken);
            history.Add(stopwatch.Elapsed.TotalMilliseconds);
            if (found.Count != 1 || found[0].Index != n)
            {
                throw new InvalidOperationException($"history of leaf {n}'s entry came back as [{string.Join(",", found.Select(f => f.Index))}]");
            }
        }

        var (_, fullRate) = await AppendTimedAsync(log, headSize, VersionBatch, version, cancellationToken);

        var readBound = 2 * Math.Ceiling(Math.Log2(headSize));
        var maxReads = Math.Max(maxInclusionReads, maxConsistencyReads);
        context.Report($"append, one version ({VersionBatch:N0} distinct entries), empty log", emptyRate, "leaves/s");
        context.Report($"append, one version ({VersionBatch:N0} distinct entries), at {headSize:N0}", fullRate, "leaves/s");
        context.Report($"append, bulk ({SeedBatch:N0}-leaf batches, {SeedEntries:N0} entries)", seedRate, "leaves/s");
        context.Report($"log size reached ({seedSeconds:N0} s of seeding; goal {target:N0})", headSize, "leaves");
        context.Report("point read of one tile, p50 (baseline)", Percentile(pointReads, 0.5), "ms");
        context.Report("inclusion proof, p50", Percentile(inclusion, 0.5), "ms");
        context.Report("inclusion proof, p95", Percentile(inclusion, 0.95), "ms");
        context.Report("inclusion proof, max", inclusion.Max(), "ms");
        context.Report("consistency proof, p50", Percentile(consistency, 0.5), "ms");
        context.Report("consistency proof, p95", Percentile(consistency, 0.95), "ms");
        context.Report("consistency proof, max", consistency.Max(), "ms");
        context.Report("storage reads per inclusion proof, max", maxInclusionReads, "reads");
        context.Report("storage reads per consistency proof, max", maxConsistencyReads, "reads");
        context.Report("entry history lookup, p50", Percentile(history, 0.5), "ms");
        context.Report("entry history lookup, p95", Percentile(history, 0.95), "ms");
        context.Report("inclusion proof p50 / point read p50", Percentile(inclusion, 0.5) / Percentile(pointReads, 0.5), "x");
        context.Output.WriteLine($"  load average at the end: {BenchSeeding.LoadAverage()}");
        context.Ratio("log size reached / 1,000,000", headSize / 1_000_000.0, 1);
        context.Ratio("proof p95 (ms)", Math.Max(Percentile(inclusion, 0.95), Percentile(consistency, 0.95)), 50, higherIsBetter: false);
        context.Ratio($"storage reads / (2*log2(n) = {readBound})", maxReads / readBound, 1, higherIsBetter: false);
    }

    private static async Task<(long Size, double Rate)> AppendTimedAsync(TransparencyLogStore log, long size, int count, long version, CancellationToken cancellationToken)
    {
        var leaves = BenchSeeding.AddLeaves("eu", size, count, version, Expression);
        var stopwatch = Stopwatch.StartNew();
        var batch = await log.AppendBatchAsync("eu", version, $"plan-{version}", leaves, DateTimeOffset.UtcNow, cancellationToken);
        return (batch.Size, count / stopwatch.Elapsed.TotalSeconds);
    }

    private static string Expression(long n) => $"log{n}.example/page";


    private static double Percentile(List<double> values, double share)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(share * sorted.Count))];
    }

    /// <summary>Every batch here is appended by the one call that announced it; nothing is ever left pending.</summary>
    private sealed class NoPendingBatches : ILogBatchSource
    {
        public Task<IReadOnlyList<byte[]>> LeavesAsync(string list, long version, string planName, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"unexpected pending log batch {list}/{version}");
    }
}
