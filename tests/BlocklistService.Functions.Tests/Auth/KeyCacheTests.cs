using System.Net;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Auth;

/// <summary>
/// The per-instance cache of validated keys (<c>Auth:KeyCacheTtl</c>): two servers share one storage account; a key
/// revoked on one is refused by the other once its cached row is older than the TTL, and at once with the cache off.
/// </summary>
public sealed class KeyCacheTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly string StatusPath = $"/api/v1/submissions/s{new string('c', 40)}";

    [Fact]
    public async Task A_key_revoked_on_another_instance_is_refused_once_the_cache_ttl_has_passed()
    {
        var clock = new ManualTime(DateTimeOffset.UtcNow);
        await using var caching = new ApiFactory(
            storage.ConnectionString,
            new Dictionary<string, string?> { ["Auth:KeyCacheTtl"] = "00:00:05" },
            services => services.AddSingleton<TimeProvider>(clock));
        await using var other = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?> { ["Storage:TablePrefix"] = caching.TablePrefix });
        var (hotline, key) = await caching.ClientForAsync(Roles.Hotline, "cached-hotline");
        Assert.Equal(HttpStatusCode.NotFound, (await hotline.GetAsync(StatusPath)).StatusCode);

        var (admin, _) = await other.ClientForAsync(Roles.Admin, "other-admin");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeKeyAsync(key.KeyId)).StatusCode);

        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(HttpStatusCode.NotFound, (await hotline.GetAsync(StatusPath)).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await hotline.GetAsync(StatusPath)).StatusCode);
    }

    [Fact]
    public async Task With_the_cache_off_a_revocation_on_another_instance_holds_from_the_next_request()
    {
        await using var uncached = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?> { ["Auth:KeyCacheTtl"] = "00:00:00" });
        await using var other = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?> { ["Storage:TablePrefix"] = uncached.TablePrefix });
        var (hotline, key) = await uncached.ClientForAsync(Roles.Hotline, "uncached-hotline");
        Assert.Equal(HttpStatusCode.NotFound, (await hotline.GetAsync(StatusPath)).StatusCode);

        var (admin, _) = await other.ClientForAsync(Roles.Admin, "other-admin");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeKeyAsync(key.KeyId)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await hotline.GetAsync(StatusPath)).StatusCode);
    }

    [Fact]
    public async Task A_cache_ttl_outside_its_range_stops_the_server_at_start()
    {
        await using var api = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?> { ["Auth:KeyCacheTtl"] = "01:00:00" });
        var error = Assert.ThrowsAny<Exception>(() => api.CreateClient());
        Assert.Contains("Auth:KeyCacheTtl", error.ToString(), StringComparison.Ordinal);
    }
}
