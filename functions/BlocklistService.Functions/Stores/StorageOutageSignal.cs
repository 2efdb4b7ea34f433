namespace BlocklistService.Functions.Stores;

/// <summary>
/// This instance's view of whether storage is down right now, kept from the outcome of every request-path storage call
/// (<see cref="RequestStorageScope"/> records each): down while the most recent call failed as unavailable (every try
/// spent: refused, timed out, throttled), up as soon as any call gets an answer (a 404 is an answer). A call that is
/// merely slow and then answers never sets it.
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

    private readonly Lock _gate = new();
    private volatile bool _down;
    private DateTimeOffset _downSince;
    private bool _probing;
    private DateTimeOffset _lastProbe = DateTimeOffset.MinValue;

    /// <summary>True while the most recent request-path storage call failed as unavailable.</summary>
    public bool IsDown => _down;

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
        if (!_down)
        {
            return false;
        }

        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!_down || _probing || now - _lastProbe < ProbeInterval)
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
