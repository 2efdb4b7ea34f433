using System.Diagnostics;
using System.Net;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Tests.Endpoints;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Decisions;

/// <summary>Long polls and applied-version reporting over HTTP on Azurite.</summary>
public sealed class PushTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task A_waiting_poll_is_answered_when_a_version_is_published_and_times_out_with_304_otherwise()
    {
        await using var api = PublishApi.Create(storage.ConnectionString, new Dictionary<string, string?> { ["Publishing:LongPollInterval"] = "00:00:00.2" });
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "push-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "operator");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "push-isp", "eu");
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("first version"));

        var bad = await isp.GetAsync("/api/v1/lists/eu/updates?since=1&wait=61");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("wait", out _));

        var clock = Stopwatch.StartNew();
        var idle = await isp.GetAsync("/api/v1/lists/eu/updates?since=1&wait=1");
        Assert.Equal(HttpStatusCode.NotModified, idle.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, (await isp.GetAsync("/api/v1/lists/eu/updates?since=0&wait=30")).StatusCode); // behind: answered at once

        var waiting = isp.GetAsync("/api/v1/lists/eu/updates?since=1&wait=30");
        var notifier = api.Services.GetRequiredService<HeadNotifier>();
        while (notifier.Waiting == 0)
        {
            await Task.Delay(20);
        }

        await ListEndpointTests.SubmitAsync(hotline, Payloads.Add("http://pushed.example/1"));
        clock.Restart();
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("second version"));
        var published = clock.Elapsed;
        var answer = await waiting;
        var latency = clock.Elapsed - published;

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(2, (await answer.JsonAsync()).GetProperty("currentVersion").GetInt64());
        Assert.True(latency < TimeSpan.FromSeconds(5), $"answered {latency.TotalMilliseconds:0} ms after the publish returned");
        Assert.Equal(0, notifier.Waiting);
    }

    [Fact]
    public async Task Admin_isps_shows_the_applied_version_and_flags_an_isp_behind_for_longer_than_allowed()
    {
        await using var api = PublishApi.Create(storage.ConnectionString, new Dictionary<string, string?> { ["Publishing:IspLagAlert"] = "00:00:01" });
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "lag-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "operator");
        var (current, currentKey) = await api.ClientForAsync(Roles.Isp, "isp-current", "eu");
        var (late, lateKey) = await api.ClientForAsync(Roles.Isp, "isp-late", "eu");
        await ListEndpointTests.SubmitAsync(hotline, Payloads.Add("http://lag.example/1"));
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("v1"));
        await ListEndpointTests.SubmitAsync(hotline, Payloads.Add("http://lag.example/2"));
        await admin.PostAsync("/api/v1/admin/publish", Payloads.Reason("v2"));

        // the current ISP polled with since=1 before applying v2, then reports v2 as applied
        await Poll(current, since: 1, applied: null);
        await Poll(current, since: 2, applied: 2);
        await Poll(late, since: 1, applied: 1);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        var isps = (await (await admin.GetAsync("/api/v1/admin/isps")).JsonAsync()).GetProperty("isps").EnumerateArray().ToList();
        var upToDate = isps.Single(i => i.GetProperty("keyId").GetString() == currentKey.KeyId).GetProperty("lists")[0];
        var behind = isps.Single(i => i.GetProperty("keyId").GetString() == lateKey.KeyId).GetProperty("lists")[0];
        Assert.Equal((2L, 0L, 0.0, false), (upToDate.GetProperty("appliedVersion").GetInt64(), upToDate.GetProperty("lag").GetInt64(), upToDate.GetProperty("minutesBehind").GetDouble(), upToDate.GetProperty("flagged").GetBoolean()));
        Assert.Equal((1L, 1L, true), (behind.GetProperty("appliedVersion").GetInt64(), behind.GetProperty("lag").GetInt64(), behind.GetProperty("flagged").GetBoolean()));
        Assert.True(behind.GetProperty("minutesBehind").GetDouble() > 0);
    }

    private static async Task Poll(HttpClient isp, long since, long? applied)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/lists/eu/updates?since={since}");
        if (applied is { } version)
        {
            request.Headers.Add(IspTracker.AppliedVersionHeader, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(HttpStatusCode.OK, (await isp.SendAsync(request)).StatusCode);
    }
}
