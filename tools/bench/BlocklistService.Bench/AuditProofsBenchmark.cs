using System.Diagnostics;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Audit;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Storage.Blobs;
using BlocklistService.Storage.Tables;
using BlocklistService.Testing;

namespace BlocklistService.Bench;

/// <summary>
/// The transparency log on Azurite: append rate of <see cref="TransparencyLogStore.AppendBatchAsync"/> (leaf rows, entry
/// history rows, subtree hashes, a signed checkpoint per batch), then inclusion and consistency proof latency and
/// storage reads through <see cref="TransparencyLogReader"/> at the size reached (goal 1,000,000 leaves; proofs ≤ 50 ms,
/// reads ≤ 2·log2(n)). Seeding appends batches of 16,384 leaves until the goal size or a time budget (~3 minutes at
/// scale 1) is reached. Baseline, same run: one point read of a stored subtree hash.
/// </summary>
public sealed class AuditProofsBenchmark : IBenchmark
{
    private const int SeedBatch = 16_384;

    public string Name => "audit-proofs";

    public string Description => "transparency log append rate (leaves/s) and proof latency/reads at up to 1M leaves; goal proofs <= 50 ms, reads <= 2*log2(n); vs one point read";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var target = context.Scaled(1_000_000);
        var budget = TimeSpan.FromSeconds(180 * Math.Min(1, context.Scale));
        await using var azurite = await Azurite.StartAsync(cancellationToken);
        var storage = new PublishStorage(new TableServiceClient(azurite.ConnectionString), new BlobServiceClient(azurite.ConnectionString), Azurite.UniqueName("a")[..12]);
        var names = new PublishStorageNames();
        await storage.CreateAsync(names, cancellationToken);
        using var signer = PemArtifactSigner.Generate();
        var files = new SignedFiles(storage.Blobs, signer);

        // 1. the store as the publisher uses it (sequential upserts), one batch of 2,000 leaves about distinct entries
        var plain = new TransparencyLogStore(storage.Rows, files, new NoPendingBatches(), names);
        var version = 1L;
        var realistic = Leaves(0, 2_000, distinctEntries: true, version);
        var stopwatch = Stopwatch.StartNew();
        await plain.AppendBatchAsync("eu", version++, "plan-1", realistic, DateTimeOffset.UtcNow, cancellationToken);
        var realisticRate = realistic.Count / stopwatch.Elapsed.TotalSeconds;

        // 2. seeding: the same store over a row store that sends a call's transactions 8 at a time, batches of 16,384
        //    leaves about 256 recurring entries (so the entry history index batches too)
        var seeding = new TransparencyLogStore(new ConcurrentUpserts(storage.Rows, 8), files, new NoPendingBatches(), names);
        long size = realistic.Count;
        stopwatch.Restart();
        while (size < target && stopwatch.Elapsed < budget)
        {
            var count = (int)Math.Min(SeedBatch, target - size);
            var batch = await seeding.AppendBatchAsync("eu", version, $"plan-{version}", Leaves(size, count, distinctEntries: false, version), DateTimeOffset.UtcNow, cancellationToken);
            version++;
            size = batch.Size;
        }

        var seedSeconds = stopwatch.Elapsed.TotalSeconds;
        var seedRate = (size - realistic.Count) / seedSeconds;

        // 3. proofs at the size reached, through the auditor API's reader
        var reader = new TransparencyLogReader(new AuditStorage(storage));
        var (headSize, _) = await reader.GetHeadAsync(cancellationToken);
        var random = new Random(6962);
        var pointReads = new List<double>();
        var nodes = storage.Table(names.LogNodes);
        for (var i = 0; i < 50; i++)
        {
            var index = random.NextInt64(headSize / 2);
            stopwatch.Restart();
            await nodes.GetEntityIfExistsAsync("level-1", index.ToString("D12", System.Globalization.CultureInfo.InvariantCulture), ["Hash"], cancellationToken);
            pointReads.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        var inclusion = new List<double>();
        var consistency = new List<double>();
        var maxReads = 0;
        await reader.InclusionProofAsync(0, headSize, cancellationToken); // warm-up
        for (var i = 0; i < 50; i++)
        {
            var index = random.NextInt64(headSize);
            stopwatch.Restart();
            var proof = await reader.InclusionProofAsync(index, headSize, cancellationToken);
            inclusion.Add(stopwatch.Elapsed.TotalMilliseconds);
            maxReads = Math.Max(maxReads, proof.StorageReads);
            var leafHash = await LeafHashAsync(reader, index, cancellationToken);
            var root = await reader.RootAtAsync(headSize, cancellationToken);
            if (!MerkleVerifier.VerifyInclusion(index, headSize, leafHash, proof.Hashes, root))
            {
                throw new InvalidOperationException($"inclusion proof of leaf {index} in {headSize} does not verify");
            }

            var first = 1 + random.NextInt64(headSize - 1);
            stopwatch.Restart();
            var consistent = await reader.ConsistencyProofAsync(first, headSize, cancellationToken);
            consistency.Add(stopwatch.Elapsed.TotalMilliseconds);
            maxReads = Math.Max(maxReads, consistent.StorageReads);
        }

        var readBound = 2 * Math.Ceiling(Math.Log2(headSize));
        context.Report("append, store as published (2,000 distinct entries)", realisticRate, "leaves/s");
        context.Report($"append, seeding ({SeedBatch:N0}-leaf batches, 8 transactions at a time)", seedRate, "leaves/s");
        context.Report($"log size reached ({seedSeconds:N0} s of seeding; goal {target:N0})", headSize, "leaves");
        context.Report("point read of one subtree hash, p50 (baseline)", Percentile(pointReads, 0.5), "ms");
        context.Report("inclusion proof, p50", Percentile(inclusion, 0.5), "ms");
        context.Report("inclusion proof, p95", Percentile(inclusion, 0.95), "ms");
        context.Report("consistency proof, p50", Percentile(consistency, 0.5), "ms");
        context.Report("consistency proof, p95", Percentile(consistency, 0.95), "ms");
        context.Report($"storage reads per proof, max (bound 2*log2(n) = {readBound})", maxReads, "reads");
        context.Report("inclusion proof p50 / point read p50", Percentile(inclusion, 0.5) / Percentile(pointReads, 0.5), "x");
        context.Ratio("proof p95 (ms)", Math.Max(Percentile(inclusion, 0.95), Percentile(consistency, 0.95)), 50, higherIsBetter: false);
        context.Ratio("storage reads / (2*log2(n))", maxReads / readBound, 1, higherIsBetter: false);
    }

    private static async Task<byte[]> LeafHashAsync(TransparencyLogReader reader, long index, CancellationToken cancellationToken) =>
        (await reader.GetLeafAsync(index, cancellationToken) ?? throw new InvalidOperationException($"leaf {index} is missing")).LeafHash();

    private static List<byte[]> Leaves(long start, int count, bool distinctEntries, long version)
    {
        var list = ListName.Parse("eu");
        var at = DateTimeOffset.UtcNow;
        at = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second, TimeSpan.Zero);
        var leaves = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var n = start + i;
            var expression = distinctEntries ? $"log{n}.example/page" : $"log{n % 256}.example/page";
            leaves.Add(new LogLeaf
            {
                Kind = LogLeafKind.Add,
                List = list,
                Version = version,
                EntryId = EntryId.ForExpression(expression),
                Expression = expression,
                Scope = EntryScope.Exact,
                Category = "csam",
                Hotline = "bench-hotline",
                Reference = $"REF-{n}",
                VerifiedAt = at,
                PublishedAt = at,
            }.ToJson());
        }

        return leaves;
    }

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

    /// <summary>The row store with one change for seeding: an upsert call's single-partition transactions go out concurrently.</summary>
    private sealed class ConcurrentUpserts(IRowStore inner, int parallel) : IRowStore
    {
        public Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
            inner.GetAsync(table, partitionKey, rowKey, cancellationToken);

        public IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, CancellationToken cancellationToken) =>
            inner.QueryAsync(table, partitionKey, fromRowKey, toRowKey, cancellationToken);

        public IAsyncEnumerable<Row> QueryAllAsync(string table, CancellationToken cancellationToken) => inner.QueryAllAsync(table, cancellationToken);

        public Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken) => inner.AddAsync(table, row, cancellationToken);

        public Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken) =>
            inner.UpdateAsync(table, row, ifMatch, cancellationToken);

        public Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken) =>
            Parallel.ForEachAsync(
                rows.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(100)),
                new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
                async (chunk, token) => await inner.UpsertAsync(table, chunk, token));

        public Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken) =>
            inner.DeleteAsync(table, keys, cancellationToken);
    }
}
