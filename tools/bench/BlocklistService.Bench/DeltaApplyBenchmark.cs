using System.Diagnostics;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Bench;

/// <summary>
/// An ISP client's hot path: a 10,000-change delta applied to a 1,000,000-entry list state, including the LtHash16
/// state hash, against two baselines measured in the same run: recomputing the state hash from scratch over all
/// entries (what a non-homomorphic hash would cost), and applying the same changes to a plain HashSet (no hashing).
/// </summary>
public sealed class DeltaApplyBenchmark : IBenchmark
{
    public string Name => "delta-apply";

    public string Description => "10k-change delta onto a 1M-entry ListState with state hash (goal <= 1 s, <= 300 MB) vs full rehash and HashSet";

    public Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var list = ListName.Parse("eu");
        var size = context.Scaled(1_000_000);
        var changes = Math.Min(context.Scaled(10_000), size);
        var removes = changes / 2;
        var adds = changes - removes;

        var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var build = Stopwatch.StartNew();
        var state = ListState.FromEntries(list, 1, Enumerable.Range(0, size).Select(Entry)).Value;
        build.Stop();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var managedState = GC.GetTotalMemory(forceFullCollection: true) - managedBefore;
        context.Report($"build state of {size:N0} entries (one-off)", build.Elapsed.TotalMilliseconds, "ms");
        context.Report("managed memory held by the state", managedState / 1048576.0, "MB");

        // Remove every (size/removes)-th entry, add fresh ones: a delta from version 1 to 2, and its inverse 2 -> 3.
        var step = Math.Max(1, size / Math.Max(1, removes));
        var removed = Enumerable.Range(0, removes).Select(i => Entry(i * step)).ToList();
        var added = Enumerable.Range(size, adds).Select(Entry).ToList();
        var forward = Delta.Create(list, 1, 2, added, removed.Select(e => e.Id));
        var forwardGzip = forward.ToGzip();
        context.Report($"delta: {changes:N0} changes, gzip size", forwardGzip.Length / 1024.0, "KiB");

        // Measured: parse the stored gzip bytes, validate and apply, compute the state hash (what sync does).
        var applyTimes = new List<double>();
        var version = 1L;
        for (var round = 0; round < 4 && !cancellationToken.IsCancellationRequested; round++)
        {
            var forwardRound = round % 2 == 0;
            var delta = Delta.Create(list, version, version + 1, forwardRound ? added : removed, (forwardRound ? removed : added).Select(e => e.Id));
            var bytes = delta.ToGzip();
            var watch = Stopwatch.StartNew();
            var parsed = Delta.FromGzip(bytes).Value;
            var result = state.Apply(parsed);
            var hash = state.StateHash;
            watch.Stop();
            if (!result.IsSuccess || hash.Length != 64)
            {
                throw new InvalidOperationException("apply failed: " + result.Error);
            }

            applyTimes.Add(watch.Elapsed.TotalMilliseconds);
            version++;
        }

        var applyMs = Median(applyTimes);
        context.Report("parse + validate + apply + state hash (median)", applyMs, "ms");
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var peakAfterApply = process.PeakWorkingSet64 / 1048576.0;
        context.Report("peak working set after build + apply", peakAfterApply, "MB");
        context.Report("working set after apply", process.WorkingSet64 / 1048576.0, "MB");

        // Baseline 1: the same state hash recomputed from scratch over every id held.
        var rehash = Stopwatch.StartNew();
        var fromScratch = LtHash16.StateHashOf(state.Ids);
        rehash.Stop();
        if (fromScratch != state.StateHash)
        {
            throw new InvalidOperationException("incremental state hash differs from the recomputed one");
        }

        context.Report("baseline: state hash recomputed over all ids", rehash.Elapsed.TotalMilliseconds, "ms");

        // Baseline 2: a plain HashSet of id strings taking the same changes, without any hashing.
        var set = new HashSet<string>(Enumerable.Range(0, size).Select(i => Entry(i).Id.Hex), StringComparer.Ordinal);
        var setTimes = new List<double>();
        for (var round = 0; round < 4; round++)
        {
            var forwardRound = round % 2 == 0;
            var watch = Stopwatch.StartNew();
            foreach (var entry in forwardRound ? removed : added)
            {
                set.Remove(entry.Id.Hex);
            }

            foreach (var entry in forwardRound ? added : removed)
            {
                set.Add(entry.Id.Hex);
            }

            watch.Stop();
            setTimes.Add(watch.Elapsed.TotalMilliseconds);
        }

        var setMs = Median(setTimes);
        context.Report("baseline: HashSet<string> apply (no hash, no parse)", setMs, "ms");
        set.Clear();

        process.Refresh();
        context.Report("peak working set incl. baselines", process.PeakWorkingSet64 / 1048576.0, "MB");
        context.Report("managed heap now", GC.GetTotalMemory(forceFullCollection: true) / 1048576.0, "MB");
        context.Ratio("speed-up vs recomputing the state hash (x)", rehash.Elapsed.TotalMilliseconds / applyMs, 10);
        context.Report("rate: changes applied per second", changes / (applyMs / 1000), "changes/s");
        context.Report("cost vs HashSet apply (ratio, informational)", applyMs / Math.Max(setMs, 0.001), "x");
        context.Ratio("delta apply time (s)", applyMs / 1000, 1.0, higherIsBetter: false);
        context.Ratio("managed memory of the state (MB)", managedState / 1048576.0, 300, higherIsBetter: false);
        context.Ratio("peak working set up to the apply (MB)", peakAfterApply, 300, higherIsBetter: false);
        GC.KeepAlive(state);
        return Task.CompletedTask;
    }

    private static ListEntry Entry(int i) => ListEntry.Create($"h{i}.example/abuse/{i % 97}/", EntryScope.Path, i % 5 == 0 ? "csam-drawn" : "csam");

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
