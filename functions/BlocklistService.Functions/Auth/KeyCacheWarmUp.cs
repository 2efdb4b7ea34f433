using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Auth;

/// <summary>
/// The last start-up step: reads every key row in one query (<see cref="ApiKeyStore.RefreshAllAsync"/>) before the instance
/// says it is ready, so that an instance started (or restarted) under load does not meet every ISP's first poll with a
/// point read each. Best effort and bounded by <see cref="Budget"/>: when the query fails or is slow the instance is
/// ready anyway and reads key rows per request, as it would without it.
/// </summary>
public sealed class KeyCacheWarmUp(ApiKeyStore keys, TimeProvider time, ILogger<KeyCacheWarmUp> logger) : IStartupStep
{
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var timeout = new CancellationTokenSource(Budget, time);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var cached = await keys.RefreshAllAsync(budget.Token);
            logger.LogInformation("Key cache warmed with {Count} key rows in {Milliseconds:F0} ms", cached, time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Key cache not warmed ({ExceptionType} after {Milliseconds:F0} ms): key rows are read per request", e.GetType().Name, time.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
