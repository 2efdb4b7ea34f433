using System.Diagnostics;
using System.Text;
using BlocklistService.Cli.Exports;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Bench;

/// <summary>
/// <c>export-rpz</c>: the CLI's RPZ export of 1,000,000 host entries (classify, sort, write two triggers each, fsync,
/// rename) against a plain <see cref="StreamWriter"/> writing the same lines to a file in the same run.
/// </summary>
public sealed class ExportRpzBenchmark : IBenchmark
{
    /// <summary>The export may cost at most this many times the plain write of the same lines.</summary>
    private const double Goal = 4.0;

    public string Name => "export-rpz";

    public string Description => "RPZ export of 1,000,000 host entries vs a plain StreamWriter writing the same lines";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var count = context.Scaled(1_000_000);
        var entries = new List<ListEntry>(count);
        for (var i = 0; i < count; i++)
        {
            entries.Add(ListEntry.Create($"host{i:D7}.abuse-{i % 997}.example/", EntryScope.Host, "csam"));
        }

        var state = new LocalListState(ListName.Parse("bench"), 123, entries, DateTimeOffset.UnixEpoch);
        var directory = Path.Combine(Path.GetTempPath(), "blocklist-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            // Baseline: the same lines, already known, written with a StreamWriter and flushed to disk.
            var lines = entries.Select(e => e.Expression[..^1]).ToArray();
            var baselinePath = Path.Combine(directory, "baseline.rpz");
            GC.Collect();
            var baselineAllocated = GC.GetTotalAllocatedBytes(precise: true);
            var baseline = Stopwatch.StartNew();
            await using (var stream = new FileStream(baselinePath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            await using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16))
            {
                foreach (var line in lines)
                {
                    writer.Write(line);
                    writer.WriteLine(" CNAME .");
                    writer.Write("*.");
                    writer.Write(line);
                    writer.WriteLine(" CNAME .");
                }

                await writer.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            baseline.Stop();
            baselineAllocated = GC.GetTotalAllocatedBytes(precise: true) - baselineAllocated;
            var peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;

            var zonePath = Path.Combine(directory, "blocklist.rpz");
            GC.Collect();
            var exportAllocated = GC.GetTotalAllocatedBytes(precise: true);
            var export = Stopwatch.StartNew();
            var result = await ExportRunner.ExportAsync(state, ExportFormat.Rpz, new RpzOptions(), [zonePath], cancellationToken);
            export.Stop();
            exportAllocated = GC.GetTotalAllocatedBytes(precise: true) - exportAllocated;
            var peakAfter = Process.GetCurrentProcess().PeakWorkingSet64;

            context.Output.WriteLine($"  entries {count:N0}, zone {result.Files[0].Bytes / 1048576.0:N1} MiB, baseline file {new FileInfo(baselinePath).Length / 1048576.0:N1} MiB");
            context.Report("rpz export: time", export.Elapsed.TotalMilliseconds, "ms");
            context.Report("rpz export: rate", count / export.Elapsed.TotalSeconds, "entries/s");
            context.Report("rpz export: allocated", exportAllocated / 1048576.0, "MiB");
            context.Report("baseline StreamWriter: time", baseline.Elapsed.TotalMilliseconds, "ms");
            context.Report("baseline StreamWriter: rate", count / baseline.Elapsed.TotalSeconds, "entries/s");
            context.Report("baseline StreamWriter: allocated", baselineAllocated / 1048576.0, "MiB");
            context.Report("process peak working set (after baseline)", peakBefore / 1048576.0, "MiB");
            context.Report("process peak working set (after export)", peakAfter / 1048576.0, "MiB");
            context.Ratio("export time / baseline time", export.Elapsed.TotalSeconds / baseline.Elapsed.TotalSeconds, Goal, higherIsBetter: false);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
