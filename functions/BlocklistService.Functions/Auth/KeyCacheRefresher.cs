using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Auth;

/// <summary>
/// Every half <see cref="AuthOptions.KeyCacheTtl"/>, while requests look keys up on this instance, reads every key row
/// in one query (<see cref="ApiKeyStore.RefreshAllAsync"/>). ISP polls then find their key cached instead of costing a
/// point read each once its row is older than the TTL: a thousand ISPs polling every minute were 17 key reads a second
/// per instance, and now are one query every half TTL. A revocation made on another instance is read by the next
/// refresh, so it still holds here within the TTL. A refresh that fails changes nothing: rows then expire at their TTL
/// and are read per request, as without it.
/// </summary>
public sealed class KeyCacheRefresher(
    ApiKeyStore keys, StorageStartup startup, IOptions<AuthOptions> options, TimeProvider time, ILogger<KeyCacheRefresher> logger) : BackgroundService
{
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
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!keys.UsedWithin(ttl))
                {
                    continue;
                }

                using var budget = new CancellationTokenSource(every, time);
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, budget.Token);
                try
                {
                    await keys.RefreshAllAsync(bounded.Token);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
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
}
