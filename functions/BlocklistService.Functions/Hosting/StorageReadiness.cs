using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Hosting;

/// <summary>One check of storage: reachable or not, how long it took, and what failed (a type and status, never a message).</summary>
public sealed record StorageProbe(bool Reachable, double Milliseconds, string? Failure, DateTimeOffset CheckedAt);

/// <summary>
/// Whether storage answers right now: one point read of the <c>lists</c> table (a row that does not exist, so any
/// answer but a failure is success), bounded by <see cref="ProbeTimeout"/>. The result is shared for
/// <see cref="ProbeCacheTtl"/>, so health checks, however frequent, cost storage at most one read per interval.
/// </summary>
public sealed class StorageReadiness(IRowStore rows, PublishStorageNames names, TimeProvider time)
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan ProbeCacheTtl = TimeSpan.FromSeconds(2);

    private const string ProbeRowKey = "readiness-probe";

    private readonly Lock _gate = new();
    private (Task<StorageProbe> Probe, DateTimeOffset At)? _last;

    public Task<StorageProbe> CheckAsync(CancellationToken cancellationToken)
    {
        Task<StorageProbe> probe;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_last is not { } last || (last.Probe.IsCompleted && now - last.At >= ProbeCacheTtl))
            {
                _last = (ProbeAsync(), now);
            }

            probe = _last.Value.Probe;
        }

        return probe.WaitAsync(cancellationToken);
    }

    private async Task<StorageProbe> ProbeAsync()
    {
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(ProbeTimeout, time);
        try
        {
            await rows.GetAsync(names.Lists, PublishRunner.ListsPartition, ProbeRowKey, timeout.Token).WaitAsync(ProbeTimeout, time);
            return new StorageProbe(true, time.GetElapsedTime(started).TotalMilliseconds, null, time.GetUtcNow());
        }
        catch (Exception e)
        {
            var failure = e is Azure.RequestFailedException failed ? $"{e.GetType().Name} {failed.Status} {failed.ErrorCode}".TrimEnd()
                : StorageFailures.IsUnavailable(e) || e is TimeoutException ? $"{e.GetType().Name} (no answer within {ProbeTimeout.TotalSeconds:0} s)"
                : e.GetType().Name;
            return new StorageProbe(false, time.GetElapsedTime(started).TotalMilliseconds, failure, time.GetUtcNow());
        }
    }
}
