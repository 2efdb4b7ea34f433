namespace BlocklistService.Functions.Hosting;

/// <summary>Whether the start-up storage preparation has finished, and when the next attempt is due if not.</summary>
public sealed class StorageStartup(TimeProvider time)
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextAttemptTicks;

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    /// <summary>Completes when storage is ready; faults when start-up found a configuration error it cannot retry past.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Seconds a client should wait before retrying: until the next attempt, at least 1.</summary>
    public int RetryAfterSeconds
    {
        get
        {
            var next = new DateTimeOffset(Interlocked.Read(ref _nextAttemptTicks), TimeSpan.Zero);
            var seconds = (int)Math.Ceiling((next - time.GetUtcNow()).TotalSeconds);
            return Math.Clamp(seconds, 1, 60);
        }
    }

    /// <summary>True when storage became ready within <paramref name="wait"/>.</summary>
    public async Task<bool> WaitAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (IsReady || wait <= TimeSpan.Zero)
        {
            return IsReady;
        }

        try
        {
            await _ready.Task.WaitAsync(wait, time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    internal void NextAttemptAt(DateTimeOffset when) => Interlocked.Exchange(ref _nextAttemptTicks, when.UtcTicks);

    internal void MarkReady() => _ready.TrySetResult();

    internal void Fail(Exception error) => _ready.TrySetException(error);
}
