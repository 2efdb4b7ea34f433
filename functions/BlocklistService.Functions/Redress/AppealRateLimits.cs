using System.Net;
using BlocklistService.Functions.Auth;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Redress;

/// <summary>
/// The per-client-address limit on filing appeals (anonymous, so API key limits do not apply): the same token bucket
/// as <see cref="KeyRateLimits"/>, keyed by address, sized by <see cref="AppealOptions"/>.
/// </summary>
public sealed class AppealRateLimits(IOptions<AppealOptions> options, TimeProvider time)
{
    /// <summary>Most addresses with a bucket at once; full buckets are dropped beyond it.</summary>
    public const int MaxTrackedAddresses = 100_000;

    private readonly KeyRateLimits _buckets = new(
        Options.Create(new RateLimitOptions { PermitsPerWindow = options.Value.PermitsPerWindow, Window = options.Value.Window }),
        Options.Create(new AuthOptions { KeyCacheSize = MaxTrackedAddresses }),
        time);

    /// <summary>Takes a permit for the request's client address; false with the wait when it has none left.</summary>
    public bool TryTake(HttpContext context, out TimeSpan retryAfter) => _buckets.TryTake(ClientAddress(context), out retryAfter);

    /// <summary>The configured header's last entry (added by the trusted front end) or the connection's remote address.</summary>
    public string ClientAddress(HttpContext context)
    {
        var header = options.Value.ClientAddressHeader;
        if (!string.IsNullOrEmpty(header) && context.Request.Headers[header].LastOrDefault() is { Length: > 0 } value)
        {
            var last = value.Split(',').Last().Trim();
            if (IPEndPoint.TryParse(last, out var parsed))
            {
                return parsed.Address.ToString(); // "203.0.113.7:51234" and "203.0.113.7" are the same client
            }
        }

        return context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }
}
