using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Auth;

/// <summary>
/// Keeps this instance's cached key rows current while requests look keys up, so ISP polls find their key cached
/// instead of costing a point read each once its row is older than <see cref="AuthOptions.KeyCacheTtl"/> (ISPs poll
/// every minute; the TTL is seconds). Every half TTL it reads one row, the revocation marker
/// (<see cref="ApiKeyStore.RevocationMarkerAsync"/>): unchanged since the last look, every row cached since then is
/// confirmed current (<see cref="ApiKeyStore.ConfirmCached"/>); changed (a revocation on any instance), or on the first
/// look, or <see cref="FullReadEvery"/> since the last full read, it reads every key row in one query
/// (<see cref="ApiKeyStore.RefreshAllAsync"/>). A revocation made on another instance therefore holds here within about
/// the TTL, as without the refresh. A look that fails changes nothing: rows expire at their TTL and are read per request.
/// </summary>
public sealed class KeyCacheRefresher(
    ApiKeyStore keys, StorageStartup startup, IOptions<AuthOptions> options, TimeProvider time, ILogger<KeyCacheRefresher> logger) : BackgroundService
{
    /// <summary>
    /// A full read at least this often, whatever the marker says: bounds how long a revocation whose marker write was
    /// lost (the revoking instance died between its two writes, and the revocation was not retried) goes unseen here.
    /// </summary>
    public static readonly TimeSpan FullReadEvery = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ttl = options.Value.KeyCacheTtl;
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        var every = ttl / 2;
        try
        {
            await startup.Ready.WaitAsync(stoppingToken);
            using var timer = new PeriodicTimer(every, time);
            var seen = (Marker: (string?)null, At: (DateTimeOffset?)null, FullAt: DateTimeOffset.MinValue);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!keys.UsedWithin(ttl))
                {
                    seen.At = null; // idle: rows expire; the next look compares with the last full read
                    continue;
                }

                using var budget = new CancellationTokenSource(every, time);
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, budget.Token);
                try
                {
                    seen = await LookAsync(seen, bounded.Token);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    seen.At = null;
                    logger.LogDebug("Key cache refresh failed ({ExceptionType}): rows expire at their TTL and are read per request", e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (InvalidOperationException)
        {
            // start-up refused the configuration and the server is stopping
        }
    }

    private async Task<(string? Marker, DateTimeOffset? At, DateTimeOffset FullAt)> LookAsync(
        (string? Marker, DateTimeOffset? At, DateTimeOffset FullAt) seen, CancellationToken cancellationToken)
    {
        // no look of its own yet (start-up, or after an idle spell): compare with the last full read (the warm-up's)
        if (seen.At is null && keys.LastFullRead is { } full)
        {
            seen = (full.Marker, full.At, full.At);
        }

        // the marker is read before the rows, so a revocation between the two reads shows as a change next time
        var now = time.GetUtcNow();
        var marker = await keys.RevocationMarkerAsync(cancellationToken);
        if (seen.At is { } since && marker == seen.Marker && now - seen.FullAt < FullReadEvery)
        {
            keys.ConfirmCached(since, now);
            return (marker, now, seen.FullAt);
        }

        var before = keys.LastFullRead;
        await keys.RefreshAllAsync(cancellationToken);

        // a full read that cached nothing (more keys than the cache holds, a revocation during it) is not a baseline
        return keys.LastFullRead is { } done && done != before ? (done.Marker, done.At, done.At) : (marker, now, now);
    }
}
