using System.Diagnostics;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Redress;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Bench;

/// <summary>
/// The transparency report at a 1,000,000-leaf log: the real server (LocalService) on Azurite, its log seeded through
/// <see cref="TransparencyLogStore.AppendBatchAsync"/> with 16,384-leaf batches over 12 months and 3 lists (adds,
/// withdrawals, and 100 removals per batch, each making the counter look up when its listing began), counted once by
/// <see cref="ReportAggregates.CatchUpAsync"/> (leaves/s), then one more version of 2,000 leaves counted (cost of a
/// change), then <c>GET /api/v1/audit/report</c> for the 12 months over HTTP, JSON and CSV. Goal: p95 ≤ 200 ms.
/// Baseline, same run and server: <c>GET /api/health</c>. Seeding stops at the goal size or after 10 minutes.
/// </summary>
public sealed class ReportBenchmark : IBenchmark
{
    private const int SeedBatch = 16_384;
    private const int Samples = 100;
    private const int RecurringEntries = 1_024;
    private const int RemovedPerBatch = 100;
    private static readonly string[] Lists = ["eu", "uk", "de"];

    public string Name => "report";

    public string Description => "GET /api/v1/audit/report (12 months, 3 lists) at a 1M-leaf log, and the counting rate; goal p95 <= 200 ms; vs GET /api/health";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var target = context.Scaled(1_000_000);
        var budget = TimeSpan.FromSeconds(600 * Math.Min(1, context.Scale));
        await using var azurite = await Azurite.StartAsync(cancellationToken);
        await using var service = await LocalService.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Publishing:Interval"] = "00:00:00" }, cancellationToken);
        var rows = service.Services.GetRequiredService<IRowStore>();
        var names = service.Services.GetRequiredService<PublishStorageNames>();
        using var signer = PemArtifactSigner.Generate();
        var log = new TransparencyLogStore(rows, new SignedFiles(service.Services.GetRequiredService<IBlobStore>(), signer), new NoPendingBatches(), names);
        context.Output.WriteLine($"  load average at start: {BenchSeeding.LoadAverage()}");

        // 1. seed: months from January, 3 lists in turn; every 10th round of the recurring entries removes them
        var first = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var stopwatch = Stopwatch.StartNew();
        long size = 0, version = 1;
        while (size < target && stopwatch.Elapsed < budget)
        {
            var count = (int)Math.Min(SeedBatch, target - size);
            var at = first.AddDays(365.0 * size / target);
            var batch = await log.AppendBatchAsync(Lists[version % 3], version, $"plan-{version}", Leaves(size, count, Lists[version % 3], version, at), at, cancellationToken);
            version++;
            size = batch.Size;
        }

        var seedSeconds = stopwatch.Elapsed.TotalSeconds;
        context.Output.WriteLine($"  seeded {size:N0} leaves in {seedSeconds:F0} s ({size / seedSeconds:F0} leaves/s){(size < target ? " - stopped at the time budget" : "")}; load average {BenchSeeding.LoadAverage()}");

        // 2. count them all once (what the publisher does a version at a time), then one more version's change
        var aggregates = service.Services.GetRequiredService<ReportAggregates>();
        stopwatch.Restart();
        await aggregates.CatchUpAsync(cancellationToken);
        var countSeconds = stopwatch.Elapsed.TotalSeconds;
        var next = first.AddDays(364);
        await log.AppendBatchAsync("eu", version, $"plan-{version}", Leaves(size, 2_000, "eu", version, next), next, cancellationToken);
        stopwatch.Restart();
        var counted = await aggregates.CatchUpAsync(cancellationToken);
        var changeMs = stopwatch.Elapsed.TotalMilliseconds;
        context.Output.WriteLine($"  counted {size:N0} leaves in {countSeconds:F1} s ({size / countSeconds:F0} leaves/s); one more version of 2,000 leaves in {changeMs:F0} ms; now {counted:N0}");

        // 3. the report over HTTP, against the health route of the same server
        using var admin = service.Client(await service.IssueAdminKeyAsync(cancellationToken));
        using var auditor = service.Client(await LocalService.IssueKeyAsync(admin, Roles.Auditor, "bench-auditor", null, cancellationToken));
        var json = await TimeAsync(auditor, "/api/v1/audit/report?from=2026-01&to=2026-12", cancellationToken);
        var csv = await TimeAsync(auditor, "/api/v1/audit/report?from=2026-01&to=2026-12&format=csv", cancellationToken);
        var health = await TimeAsync(auditor, "/api/health", cancellationToken);
        var body = await auditor.GetStringAsync("/api/v1/audit/report?from=2026-01&to=2026-12", cancellationToken);
        context.Output.WriteLine($"  report: {body.Length:N0} bytes of JSON, {Count(body, "\"month\":")} month rows");
        context.Output.WriteLine($"  report JSON  p50 {Percentile(json, 0.5):F1} ms, p95 {Percentile(json, 0.95):F1} ms, max {json.Max():F1} ms (goal p95 <= 200 ms: {(Percentile(json, 0.95) <= 200 ? "met" : "NOT met")})");
        context.Output.WriteLine($"  report CSV   p50 {Percentile(csv, 0.5):F1} ms, p95 {Percentile(csv, 0.95):F1} ms");
        context.Output.WriteLine($"  baseline GET /api/health p50 {Percentile(health, 0.5):F1} ms; report p50 / health p50 = {Percentile(json, 0.5) / Percentile(health, 0.5):F1}x");
        context.Output.WriteLine($"  load average at the end: {BenchSeeding.LoadAverage()}");
    }

    private static async Task<List<double>> TimeAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        (await client.GetAsync(path, cancellationToken)).EnsureSuccessStatusCode(); // warm
        var times = new List<double>(Samples);
        var stopwatch = new Stopwatch();
        for (var i = 0; i < Samples; i++)
        {
            stopwatch.Restart();
            using var response = await client.GetAsync(path, cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            times.Add(stopwatch.Elapsed.TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }

        return times;
    }

    /// <summary>
    /// Per batch: 100 entries of their own added and then removed (a removal makes the counter look up when the listing
    /// began: one history query and one leaf read), the rest adds of 1,024 recurring entries with a withdrawal every 7th.
    /// </summary>
    private static List<byte[]> Leaves(long start, int count, string list, long version, DateTimeOffset at)
    {
        at = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second, TimeSpan.Zero);
        var leaves = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var n = start + i;
            var (expression, kind) = i < 2 * RemovedPerBatch && count > 2 * RemovedPerBatch
                ? ($"gone{start + i % RemovedPerBatch}.example/page", i < RemovedPerBatch ? LogLeafKind.Add : LogLeafKind.Remove)
                : ($"report{n % RecurringEntries}.example/page", n % 7 == 0 ? LogLeafKind.Withdraw : LogLeafKind.Add);
            leaves.Add(new LogLeaf
            {
                Kind = kind,
                List = ListName.Parse(list),
                Version = version,
                EntryId = EntryId.ForExpression(expression),
                Expression = expression,
                Scope = n % 3 == 0 ? EntryScope.Host : EntryScope.Exact,
                Category = "csam",
                Hotline = $"hotline-{n % 5}",
                Reference = $"REF-{n}",
                VerifiedAt = at,
                PublishedAt = at,
            }.ToJson());
        }

        return leaves;
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    private static double Percentile(List<double> values, double share)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(share * sorted.Count))];
    }

    private sealed class NoPendingBatches : ILogBatchSource
    {
        public Task<IReadOnlyList<byte[]>> LeavesAsync(string list, long version, string planName, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"unexpected pending log batch {list}/{version}");
    }
}
