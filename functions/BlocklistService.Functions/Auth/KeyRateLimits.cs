using System.Collections.Concurrent;
using System.Globalization;
using BlocklistService.Functions.Endpoints;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Auth;

/// <summary>
/// The per-API-key request limit: a token bucket per key id holding at most <see cref="RateLimitOptions.PermitsPerWindow"/>
/// tokens, refilled continuously at that many per <see cref="RateLimitOptions.Window"/>; each authenticated request takes
/// one. Requests without a key are not limited here (they are refused by authorization). Buckets are kept per instance;
/// when more keys than <see cref="AuthOptions.KeyCacheSize"/> have one, full buckets (which hold no history) are dropped.
/// </summary>
public sealed class KeyRateLimits(IOptions<RateLimitOptions> limits, IOptions<AuthOptions> auth, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Takes a token for <paramref name="keyId"/>; false with the wait until the next one when the bucket is empty.</summary>
    public bool TryTake(string keyId, out TimeSpan retryAfter)
    {
        var settings = limits.Value;
        var now = time.GetUtcNow().UtcTicks;
        if (!_buckets.TryGetValue(keyId, out var bucket))
        {
            if (_buckets.Count >= auth.Value.KeyCacheSize)
            {
                DropFull(now, settings);
            }

            bucket = _buckets.GetOrAdd(keyId, static (_, at) => new TokenBucket(at), now);
        }

        return bucket.TryTake(now, settings.PermitsPerWindow, settings.Window.Ticks, out retryAfter);
    }

    private void DropFull(long now, RateLimitOptions settings)
    {
        foreach (var (keyId, bucket) in _buckets)
        {
            if (bucket.IsFull(now, settings.PermitsPerWindow, settings.Window.Ticks))
            {
                _buckets.TryRemove(keyId, out _);
            }
        }
    }

    /// <summary>
    /// One key's tokens in units of 1/window: a token is <c>window</c> units and each tick of time adds <c>permits</c>
    /// units, so refilling is exact integer arithmetic.
    /// </summary>
    private sealed class TokenBucket(long now)
    {
        private readonly Lock _gate = new();

        private Int128 _units = Int128.MaxValue;

        private long _at = now;

        public bool TryTake(long now, int permits, long window, out TimeSpan retryAfter)
        {
            lock (_gate)
            {
                Refill(now, permits, window);
                if (_units >= window)
                {
                    _units -= window;
                    retryAfter = TimeSpan.Zero;
                    return true;
                }

                var ticks = (long)((window - _units + permits - 1) / permits);
                retryAfter = TimeSpan.FromTicks(Math.Max(ticks, 1));
                return false;
            }
        }

        public bool IsFull(long now, int permits, long window)
        {
            lock (_gate)
            {
                Refill(now, permits, window);
                return _units == (Int128)permits * window;
            }
        }

        /// <summary>Adds what the time since the last call earned, up to the capacity (a new bucket starts full).</summary>
        private void Refill(long now, int permits, long window)
        {
            var capacity = (Int128)permits * window;
            var earned = now > _at ? (Int128)(now - _at) * permits : 0;
            _units = _units >= capacity - earned ? capacity : _units + earned;
            _at = Math.Max(_at, now);
        }
    }
}

/// <summary>The middleware that applies <see cref="KeyRateLimits"/> between authentication and authorization.</summary>
public static class KeyRateLimitMiddleware
{
    /// <summary>Answers 429 with <c>Retry-After</c> (whole seconds, at least 1) and a problem when the caller's key is over its rate.</summary>
    public static IApplicationBuilder UseKeyRateLimits(this IApplicationBuilder app)
    {
        var limits = app.ApplicationServices.GetRequiredService<KeyRateLimits>();
        var problems = app.ApplicationServices.GetRequiredService<IProblemDetailsService>();
        return app.Use((context, next) =>
        {
            var keyId = context.User.KeyId();
            if (keyId is null || limits.TryTake(keyId, out var wait))
            {
                return next(context);
            }

            return RejectAsync(context, problems, wait);
        });
    }

    private static async Task RejectAsync(HttpContext context, IProblemDetailsService problems, TimeSpan wait)
    {
        var retryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = 429,
                Type = Problems.TypeOf("rate-limited"),
                Title = "Too many requests",
                Detail = $"this API key exceeded its request rate; retry after {retryAfter} s",
            },
        });
    }
}
