using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BlocklistService.Cli.State;
using BlocklistService.Cli.Sync;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Matching;
using BlocklistService.Domain.Urls;

namespace BlocklistService.Bench;

/// <summary>
/// <c>blocklist squid-helper</c> as Squid runs it: the ReadyToRun CLI (<c>tools/blocklist</c>'s build) as a child
/// process pinned to one core (<c>taskset -c 0</c>), a 1,000,000-entry hashed state, and requests sent the way Squid
/// sends them with <c>concurrency=100</c> (100 channel-numbered lines, then their 100 answers). Measures URL decisions
/// per second, peak resident memory, and the longest wait for a batch of answers while sync commits a new
/// 1,000,000-entry version (and how long until the new version answers). Baseline in the same run: the same decisions
/// made in this process by the domain's matcher over the same ids, on one thread, without the protocol.
/// </summary>
public sealed class SquidHelperBenchmark : IBenchmark
{
    private const int Window = 100;

    public string Name => "squid-helper";

    public string Description => "squid-helper decisions/s on one core over a 1M-entry hashed state, RSS, reload pause; vs the in-process matcher";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var entries = context.Scaled(1_000_000);
        var requests = context.Scaled(600_000);
        var directory = Path.Combine(Path.GetTempPath(), "bench-squid-helper-" + Guid.NewGuid().ToString("N")[..8]);
        var stateDirectory = Path.Combine(directory, "state");
        var statePath = Path.Combine(stateDirectory, "eu", LocalStateStore.StateFileName);
        try
        {
            var watch = Stopwatch.StartNew();
            WriteState(statePath, version: 1, entries, extraHosts: 0);
            context.Report("hashed state written (entries)", entries, $"in {watch.Elapsed.TotalSeconds:N1} s, {new FileInfo(statePath).Length / 1048576.0:N1} MB");

            var lines = Requests(requests, entries, out var expectedBlocked);
            var baseline = Baseline(statePath, lines, expectedBlocked);
            context.Report("baseline: in-process matcher, 1 thread", baseline, "decisions/s");

            var cli = await BuildCliAsync(context.RepositoryRoot, cancellationToken);
            using var helper = StartHelper(cli, stateDirectory);
            var stdin = helper.StandardInput.BaseStream;
            var stdout = helper.StandardOutput.BaseStream;
            var reader = new AnswerReader(stdout);

            // warm-up: the first answer comes once the state is loaded
            var loadWatch = Stopwatch.StartNew();
            await SendAsync(stdin, reader, lines.AsMemory(0, Math.Min(lines.Length, 20_000)), cancellationToken);
            context.Report("start-up + load + 20,000 warm-up decisions", loadWatch.Elapsed.TotalMilliseconds, "ms");

            var measured = Stopwatch.StartNew();
            var cpuBefore = CpuSeconds(helper.Id);
            var blocked = await SendAsync(stdin, reader, lines, cancellationToken);
            measured.Stop();
            var cpu = CpuSeconds(helper.Id) - cpuBefore;
            var rate = lines.Length / measured.Elapsed.TotalSeconds;
            if (blocked != expectedBlocked)
            {
                throw new InvalidOperationException($"the helper blocked {blocked} of {lines.Length} URLs, the matcher {expectedBlocked}");
            }

            context.Report("squid-helper, 1 core, concurrency 100", rate, $"decisions/s ({blocked:N0} of {lines.Length:N0} blocked, as the matcher)");
            context.Report("helper CPU per decision", cpu / lines.Length * 1e6, "µs");
            context.Report("decisions per CPU-second of the helper", lines.Length / cpu, "(one whole core's capacity; load-independent)");
            context.Ratio("helper / in-process matcher (wall)", rate / baseline, 0.5);
            context.Ratio("decisions/s (wall) against the goal (100,000)", rate / 100_000, 1.0);
            context.Ratio("decisions per CPU-second against the goal (100,000)", lines.Length / cpu / 100_000, 1.0);

            // Pauses are judged against the same run's steady state: batches answered while an unrelated 1M-entry state
            // is written elsewhere (the same disk and CPU competition as sync's commit, but nothing for the helper to load).
            var probe = Encoding.UTF8.GetBytes($"0 http://new{entries + 7}.example/\n");
            var offset = 0;
            var otherPath = Path.Combine(directory, "other", "eu", LocalStateStore.StateFileName);
            var unrelated = Task.Run(() => WriteState(otherPath, version: 2, entries, extraHosts: 1000), cancellationToken);
            var steadyWatch = Stopwatch.StartNew();
            TimeSpan? writtenAt = null;
            var steadyTimes = new List<double>();
            while (writtenAt is null || steadyWatch.Elapsed < writtenAt.Value + TimeSpan.FromSeconds(1))
            {
                (var elapsed, _, offset) = await BatchAsync(stdin, reader, lines, offset, probe, cancellationToken);
                steadyTimes.Add(elapsed);
                if (writtenAt is null && unrelated.IsCompleted)
                {
                    await unrelated;
                    writtenAt = steadyWatch.Elapsed;
                }
            }

            // reload: sync commits version 2 (1,000 more hosts) while requests keep flowing
            var batchTimes = new List<double>();
            var replacement = Task.Run(() => WriteState(statePath, version: 2, entries, extraHosts: 1000), cancellationToken);
            var reloadWatch = Stopwatch.StartNew();
            TimeSpan? switchedAt = null;
            while (switchedAt is null || reloadWatch.Elapsed < switchedAt.Value + TimeSpan.FromSeconds(1))
            {
                if (reloadWatch.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new InvalidOperationException("the helper did not switch to version 2 within 120 s");
                }

                (var elapsed, var answer, offset) = await BatchAsync(stdin, reader, lines, offset, probe, cancellationToken);
                batchTimes.Add(elapsed);
                if (switchedAt is null && answer.EndsWith(" OK", StringComparison.Ordinal))
                {
                    switchedAt = reloadWatch.Elapsed;
                }
            }

            await replacement;
            steadyTimes.Sort();
            batchTimes.Sort();
            context.Report("steady: batches of 100 (+1 probe) answered", steadyTimes.Count, "while an unrelated state was written");
            context.Report("steady: median / p99 batch time", steadyTimes[steadyTimes.Count / 2], $"ms / {Percentile(steadyTimes, 0.99):N1} ms");
            context.Report("steady: longest batch time", steadyTimes[^1], "ms");
            context.Report("reload: batches of 100 (+1 probe) answered", batchTimes.Count, "during the rewrite and switch");
            context.Report("reload: median / p99 batch time", batchTimes[batchTimes.Count / 2], $"ms / {Percentile(batchTimes, 0.99):N1} ms");
            context.Report("reload: longest batch time (largest pause)", batchTimes[^1], "ms");
            context.Report("reload: new version answering after", switchedAt!.Value.TotalMilliseconds, "ms (state rewritten and loaded)");
            context.Ratio("reload p99 batch / steady p99 batch", Percentile(batchTimes, 0.99) / Percentile(steadyTimes, 0.99), 1.5, higherIsBetter: false);
            context.Ratio("reload longest batch / steady longest batch", batchTimes[^1] / steadyTimes[^1], 1.5, higherIsBetter: false);
            var peak = PeakResidentMegabytes(helper.Id);
            context.Report("helper peak resident memory (VmHWM)", peak, "MB (two versions loaded during the switch)");
            context.Ratio("peak resident memory against the goal (150 MB)", peak / 150, 1.0, higherIsBetter: false);

            helper.StandardInput.Close();
            await helper.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>One window of requests plus the probe line; how long their answers took and the probe's answer.</summary>
    private static async Task<(double Milliseconds, string ProbeAnswer, int NextOffset)> BatchAsync(
        Stream stdin, AnswerReader reader, ReadOnlyMemory<byte>[] lines, int offset, byte[] probe, CancellationToken cancellationToken)
    {
        var batch = Stopwatch.StartNew();
        await SendAsync(stdin, reader, lines.AsMemory(offset, Window), cancellationToken);
        await stdin.WriteAsync(probe, cancellationToken);
        await stdin.FlushAsync(cancellationToken);
        var answer = await reader.ReadAnswerAsync(cancellationToken);
        return (batch.Elapsed.TotalMilliseconds, answer, (offset + Window) % (lines.Length - Window));
    }

    private static double Percentile(List<double> sorted, double share) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(share * sorted.Count) - 1)];

    /// <summary>A hashed state of <paramref name="count"/> entries (hosts, path prefixes and URLs), written and renamed as sync does.</summary>
    private static void WriteState(string path, long version, int count, int extraHosts)
    {
        var ids = new byte[(count + extraHosts) * 32];
        var scopes = new byte[count + extraHosts];
        Parallel.For(0, count + extraHosts, i =>
        {
            var (expression, scope) = i < count ? Listed(i) : ($"new{i + 7}.example/", EntryScope.Host);
            SHA256.HashData(Encoding.UTF8.GetBytes(expression), ids.AsSpan(i * 32, 32));
            scopes[i] = (byte)scope;
        });
        var order = Enumerable.Range(0, count + extraHosts).ToArray();
        Array.Sort(order, (a, b) => ids.AsSpan(a * 32, 32).SequenceCompareTo(ids.AsSpan(b * 32, 32)));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".bench.tmp";
        using (var checksum = new ParallelChecksum())
        using (var writer = new StateFileWriter(temporary))
        {
            foreach (var i in order)
            {
                var id = ids.AsSpan(i * 32, 32);
                writer.Write(id, (EntryScope)scopes[i], [], "csam"u8);
                checksum.Add(id, []);
            }

            var sum = checksum.Complete().Checksum;
            writer.Finish(new StateFileHeader(ListName.Parse("eu"), version, writer.Count, DateTimeOffset.UtcNow, null, sum.ToBytes(), ListFeed.Hashed));
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Entry i: a third hosts, a third path prefixes, a third single URLs.</summary>
    private static (string Expression, EntryScope Scope) Listed(int i) => (i % 3) switch
    {
        0 => ($"h{i:x7}.example/", EntryScope.Host),
        1 => ($"site{i % 5000}.example/u{i:x7}/", EntryScope.Path),
        _ => ($"img{i % 5000}.example/p/{i:x7}.jpg", EntryScope.Exact),
    };

    /// <summary>Squid-style request lines: one in ten under a listed entry, the rest on unlisted URLs of listed-looking sites.</summary>
    private static ReadOnlyMemory<byte>[] Requests(int count, int entries, out int blocked)
    {
        var random = new Random(42);
        var lines = new ReadOnlyMemory<byte>[count];
        blocked = 0;
        for (var i = 0; i < count; i++)
        {
            var n = random.Next(entries);
            string url;
            if (i % 10 == 0)
            {
                url = (n % 3) switch
                {
                    0 => $"http://www.h{n:x7}.example/gallery/{i}.html",
                    1 => $"http://site{n % 5000}.example/u{n:x7}/album/{i}.jpg?size=l",
                    _ => $"http://img{n % 5000}.example/p/{n:x7}.jpg",
                };
                blocked++;
            }
            else
            {
                url = $"http://www.site{n % 5000}.example/news/{n:x7}/article-{i}.html?ref=home";
            }

            lines[i] = Encoding.UTF8.GetBytes($"{i % Window} {url}\n");
        }

        return lines;
    }

    private static double Baseline(string statePath, ReadOnlyMemory<byte>[] lines, int expectedBlocked)
    {
        var (_, ids) = StateIdSet.Load(statePath, ListName.Parse("eu"), CancellationToken.None);
        var matcher = UrlMatcher.ForIdSet(ids);
        var urls = lines.Select(l => Encoding.UTF8.GetString(l.Span).Split(' ')[1].TrimEnd('\n')).ToArray();
        var blocked = 0;
        foreach (var url in urls.Take(20_000))
        {
            _ = matcher.IsBlocked(CanonicalUrl.Parse(url).Value);
        }

        var watch = Stopwatch.StartNew();
        foreach (var url in urls)
        {
            if (CanonicalUrl.Parse(url).TryGetValue(out var canonical) && matcher.IsBlocked(canonical))
            {
                blocked++;
            }
        }

        watch.Stop();
        if (blocked != expectedBlocked)
        {
            throw new InvalidOperationException($"the matcher blocked {blocked}, the generator expected {expectedBlocked}");
        }

        return urls.Length / watch.Elapsed.TotalSeconds;
    }

    /// <summary>Sends lines in windows of 100 and reads the 100 answers of each window; returns the number of OK answers.</summary>
    private static async Task<int> SendAsync(Stream stdin, AnswerReader reader, ReadOnlyMemory<ReadOnlyMemory<byte>> lines, CancellationToken cancellationToken)
    {
        var blocked = 0;
        var buffer = new MemoryStream(Window * 128);
        for (var start = 0; start < lines.Length; start += Window)
        {
            var end = Math.Min(lines.Length, start + Window);
            buffer.SetLength(0);
            for (var i = start; i < end; i++)
            {
                buffer.Write(lines.Span[i].Span);
            }

            await stdin.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
            await stdin.FlushAsync(cancellationToken);
            for (var i = start; i < end; i++)
            {
                var answer = await reader.ReadAnswerAsync(cancellationToken);
                if (answer.EndsWith(" OK", StringComparison.Ordinal))
                {
                    blocked++;
                }
                else if (!answer.EndsWith(" ERR", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"unexpected answer: {answer}");
                }
            }
        }

        return blocked;
    }

    private static async Task<string> BuildCliAsync(string root, CancellationToken cancellationToken)
    {
        using var build = Process.Start(new ProcessStartInfo(Path.Combine(root, "tools", "blocklist"), "--version") { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException("cannot start tools/blocklist");
        await build.WaitForExitAsync(cancellationToken);
        var cli = Path.Combine(root, "artifacts", "blocklist-cli", "blocklist.dll");
        return build.ExitCode == 0 && File.Exists(cli) ? cli : throw new InvalidOperationException($"tools/blocklist could not build {cli}");
    }

    private static Process StartHelper(string cli, string stateDirectory)
    {
        var start = new ProcessStartInfo("taskset") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false };
        foreach (var argument in (string[])["-c", "0", "dotnet", cli, "squid-helper", "--list", "eu", "--state-dir", stateDirectory, "--reload-check", "0.2"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(stateDirectory, "config");
        return Process.Start(start) ?? throw new InvalidOperationException("cannot start taskset");
    }

    /// <summary>User + system CPU seconds of a process, from /proc (clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static double PeakResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>Reads answer lines from the helper's stdout.</summary>
    private sealed class AnswerReader(Stream stdout)
    {
        private readonly StreamReader _reader = new(stdout, Encoding.UTF8, false, 1 << 16);

        public async Task<string> ReadAnswerAsync(CancellationToken cancellationToken) =>
            await _reader.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("the helper closed its output");
    }
}
