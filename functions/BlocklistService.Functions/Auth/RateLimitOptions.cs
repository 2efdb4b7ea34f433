using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Auth;

/// <summary>Per-API-key request limits (section <c>RateLimits</c>): a token bucket per key id.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary><c>RateLimits:PermitsPerWindow</c>: requests a key may make per window (also the burst size).</summary>
    [Range(1, 1_000_000)]
    public int PermitsPerWindow { get; set; } = 600;

    /// <summary><c>RateLimits:Window</c>: the refill period.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
