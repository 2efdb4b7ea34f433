using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Publishing;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Tests.Auth;

/// <summary>The per-key token bucket: burst, refill rate, Retry-After, independence of keys, and bounded memory.</summary>
public sealed class KeyRateLimitsTests
{
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 1, 10, 9, 0, 0, TimeSpan.Zero));

    private KeyRateLimits Limits(int permits, TimeSpan window, int keys = 10_000) => new(
        Options.Create(new RateLimitOptions { PermitsPerWindow = permits, Window = window }),
        Options.Create(new AuthOptions { KeyCacheSize = keys }),
        _time);

    [Fact]
    public void A_key_gets_its_burst_then_one_token_per_window_share_and_is_told_how_long_to_wait()
    {
        var limits = Limits(3, TimeSpan.FromSeconds(30));

        Assert.True(limits.TryTake("a", out _));
        Assert.True(limits.TryTake("a", out _));
        Assert.True(limits.TryTake("a", out _));
        Assert.False(limits.TryTake("a", out var wait));
        Assert.Equal(TimeSpan.FromSeconds(10), wait);
        Assert.True(limits.TryTake("b", out _));

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(limits.TryTake("a", out wait));
        Assert.Equal(TimeSpan.FromSeconds(6), wait);
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(limits.TryTake("a", out _));
        Assert.False(limits.TryTake("a", out _));

        // idle for long: refilled to the burst size, not beyond
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => limits.TryTake("a", out var _)));
    }

    [Fact]
    public void When_too_many_keys_have_buckets_only_full_ones_are_dropped_so_no_key_regains_its_burst_early()
    {
        var limits = Limits(3, TimeSpan.FromSeconds(30), keys: 2);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(limits.TryTake("busy", out _));
        }

        Assert.True(limits.TryTake("idle", out _));
        _time.Advance(TimeSpan.FromSeconds(10));

        // a third key: "idle" is full again and may go; "busy" holds one token and must keep its state
        Assert.True(limits.TryTake("third", out _));
        Assert.True(limits.TryTake("busy", out _));
        Assert.False(limits.TryTake("busy", out var wait));
        Assert.Equal(TimeSpan.FromSeconds(10), wait);
    }
}
