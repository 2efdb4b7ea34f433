namespace BlocklistService.Functions.Stores;

/// <summary>
/// This instance's view of whether storage is down right now, kept from the outcome of every request-path storage call
/// (<see cref="RequestStorageScope"/> records each): down while the most recent call failed as unavailable (every try
/// spent: refused, timed out, throttled), up as soon as any call gets an answer (a 404 is an answer). A call that is
/// merely slow and then answers never sets it. A signal that no failed call has renewed for <see cref="StaleAfter"/>
/// reads as up: after a quiet spell the next request asks storage itself rather than being refused on old news.
/// </summary>
/// <remarks>
/// While it is down, a request that can be answered from what the instance holds (a key it verified before, a list head
/// it read before) is answered at once instead of waiting for a lookup that would fail after the whole retry policy
/// (≈ 2.6 s when storage hangs). Those requests do not ask storage themselves, so the signal lets one probe call
/// through at a time (<see cref="TryStartProbe"/>): the call they skipped, run in the background; its outcome, recorded
/// like any other, clears the signal when storage answers again.
/// </remarks>
public sealed class StorageOutageSignal(TimeProvider time, ILogger<StorageOutageSignal> logger)
{
    /// <summary>
    /// Least time between the starts of two probes. A refused connection fails a probe in about 0.2 s (the retry
    /// back-off); this keeps a stream of polls from turning into a stream of calls to a storage account that is down,
    /// while recovery is still seen within about a second.
    /// </summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long one failed call keeps the signal down without another. While requests keep coming, probes renew it at
    /// least every ≈ 2.9 s (the interval plus a probe spending the retry policy on storage that hangs), so a real outage
    /// under traffic never reads as up; once the instance has been quiet this long, the failure it last saw is too old
    /// to refuse a request on (the request budget).
    /// </summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private volatile bool _down;
    private DateTimeOffset _downSince;
    private long _lastFailureTicks;
    private bool _probing;
    private DateTimeOffset _lastProbe = DateTimeOffset.MinValue;

    /// <summary>True while the most recent request-path storage call failed as unavailable, less than <see cref="StaleAfter"/> ago (or renewed since).</summary>
    public bool IsDown => _down && time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastFailureTicks) < StaleAfter.Ticks;

    /// <summary>A request-path storage call got an answer: storage is up.</summary>
    public void RecordAnswered()
    {
        if (!_down)
        {
            return; // the common case: no lock on the hot path
        }

        TimeSpan downFor;
        lock (_gate)
        {
            if (!_down)
            {
                return;
            }

            _down = false;
            downFor = time.GetUtcNow() - _downSince;
        }

        logger.LogWarning("Storage answers again after {Seconds:0.0} s down: known keys and list heads are checked against storage again", downFor.TotalSeconds);
    }

    /// <summary>A request-path storage call failed as unavailable (<see cref="StorageFailures.IsUnavailable"/>): storage is down.</summary>
    /// <param name="failure">What failed: an exception type or a status, never a message (no secrets in logs).</param>
    public void RecordUnavailable(string failure)
    {
        Interlocked.Exchange(ref _lastFailureTicks, time.GetUtcNow().UtcTicks);
        lock (_gate)
        {
            if (_down)
            {
                return;
            }

            _down = true;
            _downSince = time.GetUtcNow();
        }

        logger.LogWarning("Storage unavailable ({Failure}): known keys and list heads are answered from this instance until storage answers again", failure);
    }

    /// <summary>
    /// While storage is down, starts <paramref name="call"/> in the background (outside the current request's
    /// <see cref="RequestStorageScope"/>) when no other probe is in flight and none started within
    /// <see cref="ProbeInterval"/>; false when it was not started. Its outcome is recorded like any request-path call;
    /// its exceptions are not the caller's (the failure is what the probe is for) and are dropped.
    /// </summary>
    public bool TryStartProbe(Func<CancellationToken, Task> call)
    {
        if (!IsDown)
        {
            return false;
        }

        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!IsDown || _probing || now - _lastProbe < ProbeInterval)
            {
                return false;
            }

            _probing = true;
            _lastProbe = now;
        }

        // Outside the request's scope: the request is already marked as failed, and its scope would make the probe fail
        // at once without asking storage.
        _ = RequestStorageScope.Detached(() => ProbeAsync(call));

        return true;
    }

    private async Task ProbeAsync(Func<CancellationToken, Task> call)
    {
        try
        {
            // bounded by the request path's retry policy (network timeout × tries)
            await call(CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogDebug("Storage probe failed: {Failure}", e.GetType().Name);
        }
        finally
        {
            lock (_gate)
            {
                _probing = false;
            }
        }
    }
}
