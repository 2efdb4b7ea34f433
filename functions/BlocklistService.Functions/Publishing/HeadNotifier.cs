using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Wakes long polls (<c>updates?since=N&amp;wait=S</c>) when a list gets a newer version. One per instance: while at least
/// one request waits on a list, a background loop reads that list's head once per
/// <see cref="PublishingOptions.LongPollInterval"/> (1 s) — one storage read per list and instance, whatever the number
/// of waiters — and completes the shared signal when the version grows. A waiting request holds an awaiting task and a
/// timer, no thread and no CPU: many waiters cost memory only.
/// </summary>
public sealed class HeadNotifier(IRowStore rows, ListReader reader, PublishStorageNames names, IOptions<PublishingOptions> options, TimeProvider time, ILogger<HeadNotifier> logger)
    : BackgroundService
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Watch> _watches = new(StringComparer.Ordinal);

    /// <summary>Longest wait a client may ask for.</summary>
    public const int MaxWaitSeconds = 60;

    private sealed class Watch(long version)
    {
        public long Version { get; set; } = version;
        public int Waiters { get; set; }
        public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Requests waiting now, over all lists (for tests and benchmarks).</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _watches.Values.Sum(w => w.Waiters);
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="list"/> has a version above <paramref name="version"/> or <paramref name="wait"/> passes.
    /// True when a newer version exists (the list reader's cached head is refreshed first).
    /// </summary>
    public async Task<bool> WaitForNewerAsync(string list, long version, TimeSpan wait, CancellationToken cancellationToken)
    {
        Watch watch;
        lock (_gate)
        {
            if (!_watches.TryGetValue(list, out watch!))
            {
                _watches[list] = watch = new Watch(version);
            }

            if (watch.Version > version)
            {
                return true;
            }

            watch.Waiters++;
        }

        var deadline = time.GetUtcNow() + wait;
        try
        {
            while (true)
            {
                Task signal;
                lock (_gate)
                {
                    if (watch.Version > version)
                    {
                        return true;
                    }

                    signal = watch.Changed.Task;
                }

                var remaining = deadline - time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    return false;
                }

                try
                {
                    await signal.WaitAsync(remaining, time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    return false;
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                watch.Waiters--;
            }
        }
    }

    /// <summary>Records that <paramref name="list"/> is at <paramref name="version"/>; wakes its waiters when that is newer.</summary>
    public void Observe(string list, long version)
    {
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            if (_watches.TryGetValue(list, out var watch) && version > watch.Version)
            {
                watch.Version = version;
                wake = watch.Changed;
                watch.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (wake is not null)
        {
            reader.ForgetHead(list);
            wake.SetResult();
        }
    }

    /// <summary>One round of the loop: reads the head of every list that has waiters.</summary>
    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        List<string> watched;
        lock (_gate)
        {
            watched = _watches.Where(w => w.Value.Waiters > 0).Select(w => w.Key).ToList();
        }

        foreach (var list in watched)
        {
            if (await rows.GetAsync(names.Lists, ListHeadRows.Partition, list, cancellationToken) is { } head)
            {
                Observe(list, ListHeadRows.FromRow(head).Version);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.LongPollInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Reading list heads for long polls failed; waiters time out or are woken on the next round");
            }
        }
    }
}
