using System.Net;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Auth;

/// <summary>
/// Authenticated callers reused across requests (keyed by the SHA-256 of the whole presented key): a wrong secret never
/// rides on a cached caller, a revocation on this instance holds at the next request, and each key keeps its own lists.
/// </summary>
public sealed class CallerCacheTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly string StatusPath = $"/api/v1/submissions/s{new string('c', 40)}";

    [Fact]
    public async Task A_wrong_secret_for_a_cached_key_id_is_refused_and_the_right_key_still_works()
    {
        await using var api = new ApiFactory(storage.ConnectionString);
        var (hotline, key) = await api.ClientForAsync(Roles.Hotline, "cached-caller");
        Assert.Equal(HttpStatusCode.NotFound, (await hotline.GetAsync(StatusPath)).StatusCode);

        var forged = ApiKey.Generate() with { KeyId = key.KeyId };
        using var impostor = api.WithKey(forged.Value);
        Assert.Equal(HttpStatusCode.Unauthorized, (await impostor.GetAsync(StatusPath)).StatusCode);
        var oneCharOff = key.Value[..^1] + (key.Value[^1] == 'A' ? 'B' : 'A');
        using var typo = api.WithKey(oneCharOff);
        Assert.Equal(HttpStatusCode.Unauthorized, (await typo.GetAsync(StatusPath)).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await hotline.GetAsync(StatusPath)).StatusCode);
    }

    [Fact]
    public async Task A_key_revoked_on_this_instance_is_refused_at_its_next_request_though_its_caller_was_cached()
    {
        await using var api = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?> { ["Auth:KeyCacheTtl"] = "00:05:00" });
        var (hotline, key) = await api.ClientForAsync(Roles.Hotline, "revoked-caller");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "revoker");
        Assert.Equal(HttpStatusCode.NotFound, (await hotline.GetAsync(StatusPath)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await hotline.GetAsync(StatusPath)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeKeyAsync(key.KeyId)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await hotline.GetAsync(StatusPath)).StatusCode);
    }

    [Fact]
    public async Task Cached_callers_keep_their_own_role_and_lists()
    {
        await using var api = PublishApi.Create(storage.ConnectionString);
        var (eu, _) = await api.ClientForAsync(Roles.Isp, "isp-eu", "eu");
        var (uk, _) = await api.ClientForAsync(Roles.Isp, "isp-uk", "uk");
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "not-an-isp");
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal(HttpStatusCode.OK, (await eu.GetAsync("/api/v1/lists/eu/updates?since=0")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await uk.GetAsync("/api/v1/lists/eu/updates?since=0")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await uk.GetAsync("/api/v1/lists/uk/updates?since=0")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await eu.GetAsync("/api/v1/lists/uk/updates?since=0")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await hotline.GetAsync("/api/v1/lists/eu/updates?since=0")).StatusCode);
        }
    }
}
