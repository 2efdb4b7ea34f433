using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Hosting;

/// <summary>One check of storage: reachable or not, how long it took, and what failed (a type and status, never a message).</summary>
public sealed record StorageProbe(bool Reachable, double Milliseconds, string? Failure, DateTimeOffset CheckedAt);

/// <summary>
/// The one answer to "can this instance serve requests that need storage?": start-up has prepared storage (tables,
/// lists, bootstrap keys, key set: <see cref="StorageStartup"/>, completed by <see cref="StorageInitializer"/>) and
/// storage answers right now. The request gate (<see cref="StorageReadinessGate"/>) and <c>/api/health/ready</c> both ask
/// it, so the probe never says ready while requests are still refused for start-up. Whether storage answers is one
/// point read of the <c>lists</c> table (a row that does not exist, so any answer but a failure is success), bounded by
/// <see cref="ProbeTimeout"/> and shared for <see cref="ProbeCacheTtl"/>, so health checks, however frequent, cost
/// storage at most one read per interval.
/// </summary>
public sealed class StorageReadiness(IRowStore rows, PublishStorageNames names, StorageStartup startup, TimeProvider time)
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan ProbeCacheTtl = TimeSpan.FromSeconds(2);

    private const string ProbeRowKey = "readiness-probe";

    private readonly Lock _gate = new();
    private (Task<StorageProbe> Probe, DateTimeOffset At)? _last;

    /// <summary>True once start-up has prepared storage.</summary>
    public bool IsPrepared => startup.IsReady;

    /// <summary>True when start-up has prepared storage within <paramref name="wait"/>.</summary>
    public Task<bool> WaitPreparedAsync(TimeSpan wait, CancellationToken cancellationToken) => startup.WaitAsync(wait, cancellationToken);

    /// <summary>Seconds a refused client should wait: until start-up's next attempt while it runs, else the outage interval.</summary>
    public int RetryAfterSeconds => startup.IsReady ? StorageFailures.RetryAfterSeconds : startup.RetryAfterSeconds;

    /// <summary>Ready: prepared by start-up and reachable now (a failed probe says why; start-up unfinished says so).</summary>
    public async Task<StorageProbe> ReadyAsync(CancellationToken cancellationToken) =>
        startup.IsReady
            ? await CheckAsync(cancellationToken)
            : new StorageProbe(false, 0, "starting: start-up has not prepared storage yet", time.GetUtcNow());

    /// <summary>Whether storage answers now, whatever start-up's state (liveness reports it beside the process's own health).</summary>
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
