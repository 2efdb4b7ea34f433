using System.Diagnostics;
using System.Net;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Reliability;

/// <summary>
/// The real server on Azurite with an outage injected at the row-store seam: ISP polls are answered from the head the
/// instance holds (same ETag, 304 still works) and fast; what it does not hold is 503 storage-unavailable with
/// Retry-After; health reports storage readiness apart from liveness.
/// </summary>
public sealed class StorageOutageTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Theory]
    [InlineData(OutageKind.Refused)]
    [InlineData(OutageKind.Frozen)]
    public async Task Polls_are_served_stale_if_error_with_the_same_validators(OutageKind kind)
    {
        var outage = new StorageOutage();
        await using var api = PublishApi.Create(storage.ConnectionString, services: outage.Install);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "outage-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "outage-admin");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "outage-isp", "*");
        await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://outage.example/1"))));
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"));
        var before = await isp.GetAsync("/api/v1/lists/eu/updates?since=0");
        var etag = before.Headers.ETag!.Tag;
        var body = await before.Content.ReadAsStringAsync();

        outage.Start(kind, api.Services.GetRequiredService<PublishStorageNames>().Lists, api.Services.GetRequiredService<PublishStorageNames>().Versions);
        var clock = Stopwatch.StartNew();
        var during = await isp.GetAsync("/api/v1/lists/eu/updates?since=0");
        var duringElapsed = clock.Elapsed;
        var revalidate = new HttpRequestMessage(HttpMethod.Get, "/api/v1/lists/eu/updates?since=0");
        revalidate.Headers.IfNoneMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(etag));
        var notModified = await isp.SendAsync(revalidate);
        clock.Restart();
        var neverRead = await isp.GetAsync("/api/v1/lists/uk/updates?since=0");
        var neverReadElapsed = clock.Elapsed;
        outage.End();

        Assert.Equal(HttpStatusCode.OK, during.StatusCode);
        Assert.Equal(etag, during.Headers.ETag!.Tag);
        Assert.Equal(body, await during.Content.ReadAsStringAsync());
        Assert.True(duringElapsed < TimeSpan.FromSeconds(3), $"a stale answer took {duringElapsed}");
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, neverRead.StatusCode);
        Assert.Equal("urn:blocklist:problem:storage-unavailable", (await neverRead.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(TimeSpan.FromSeconds(5), neverRead.Headers.RetryAfter?.Delta);
        Assert.True(neverReadElapsed < TimeSpan.FromSeconds(5), $"the 503 took {neverReadElapsed}");
    }

    [Fact]
    public async Task A_key_verified_before_the_outage_keeps_polling_and_a_key_revoked_here_does_not()
    {
        var outage = new StorageOutage();
        await using var api = PublishApi.Create(storage.ConnectionString, new Dictionary<string, string?> { ["Auth:KeyCacheTtl"] = "00:00:01" }, outage.Install);
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "keys-admin");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "keys-isp", "eu");
        var (revoked, revokedKey) = await api.ClientForAsync(Roles.Isp, "keys-revoked", "eu");
        Assert.Equal(HttpStatusCode.OK, (await isp.GetAsync("/api/v1/lists/eu/updates?since=0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await revoked.GetAsync("/api/v1/lists/eu/updates?since=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeKeyAsync(revokedKey.KeyId)).StatusCode);
        await Task.Delay(TimeSpan.FromMilliseconds(1200));

        var names = api.Services.GetRequiredService<PublishStorageNames>();
        outage.Start(OutageKind.Refused, Stores.StorageNames.ApiKeys, names.Lists, names.Versions);
        var stillServed = await isp.GetAsync("/api/v1/lists/eu/updates?since=0");
        var refused = await revoked.GetAsync("/api/v1/lists/eu/updates?since=0");
        outage.End();

        Assert.Equal(HttpStatusCode.OK, stillServed.StatusCode);
        Assert.True(refused.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.ServiceUnavailable, $"revoked key got {(int)refused.StatusCode}");
    }

    [Fact]
    public async Task After_the_outage_the_next_poll_sees_the_new_head()
    {
        var outage = new StorageOutage();
        await using var api = PublishApi.Create(storage.ConnectionString, services: outage.Install);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "after-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "after-admin");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "after-isp", "eu");
        await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://after.example/1"))));
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"));
        var first = await (await isp.GetAsync("/api/v1/lists/eu/updates?since=0")).JsonAsync();

        outage.Start(OutageKind.Refused, api.Services.GetRequiredService<PublishStorageNames>().Lists);
        await isp.GetAsync("/api/v1/lists/eu/updates?since=0");
        outage.End();
        await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://after.example/2"))));
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"));
        var after = await (await isp.GetAsync("/api/v1/lists/eu/updates?since=0")).JsonAsync();

        Assert.Equal(first.GetProperty("currentVersion").GetInt64() + 1, after.GetProperty("currentVersion").GetInt64());
    }

    [Fact]
    public async Task Health_reports_storage_readiness_apart_from_liveness()
    {
        var outage = new StorageOutage();
        await using var api = PublishApi.Create(storage.ConnectionString, services: outage.Install);
        var client = api.CreateClient();

        var healthy = await (await client.GetAsync("/api/health")).JsonAsync();
        var ready = await client.GetAsync("/api/health/ready");
        outage.Start(OutageKind.Frozen, api.Services.GetRequiredService<PublishStorageNames>().Lists);
        await Task.Delay(BlocklistService.Functions.Hosting.StorageReadiness.ProbeCacheTtl + TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();
        var live = await client.GetAsync("/api/health");
        var elapsed = clock.Elapsed;
        var notReady = await client.GetAsync("/api/health/ready");
        outage.End();

        Assert.Equal("reachable", healthy.GetProperty("storage").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("unreachable", (await live.JsonAsync()).GetProperty("storage").GetProperty("status").GetString());
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"liveness took {elapsed} with storage frozen");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("urn:blocklist:problem:storage-unavailable", (await notReady.JsonAsync()).GetProperty("type").GetString());
        Assert.NotNull(notReady.Headers.RetryAfter);
    }
}
