using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;

namespace BlocklistService.Functions.Tests.Endpoints;

public sealed class ListEndpointTests
{
    [Fact]
    public async Task An_isp_polls_fetches_verifies_and_applies_exactly_the_submitted_set_and_catches_up_by_delta_or_snapshot()
    {
        await using var api = PublishApi.OnMemoryStores(new Dictionary<string, string?> { ["Publishing:SnapshotEvery"] = "3" });
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "list-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "operator");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "isp-one", "eu");

        await SubmitAsync(hotline, Payloads.Add("http://a.example/1"), Payloads.Add("http://b.example/2"), Payloads.Add("http://c.example/3", lists: ["eu", "uk"]));
        var published = await (await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "publish in test" }))).JsonAsync();
        Assert.Contains(published.GetProperty("lists").EnumerateArray(), l => l.GetProperty("list").GetString() == "eu" && l.GetProperty("outcome").GetString() == "published" && l.GetProperty("version").GetInt64() == 1);

        var state = await SyncAsync(isp, ListState.Empty(ListName.Parse("eu")));
        Assert.Equal(1, state.Version);
        Assert.Equal(["a.example/1", "b.example/2", "c.example/3"], state.Entries.Select(e => e.Expression).Order().ToArray());

        // one version behind: exactly one delta
        await SubmitAsync(hotline, Payloads.Remove("http://b.example/2"), Payloads.Add("http://d.example/4"));
        await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "publish in test" }));
        var updates = await (await isp.GetAsync("/api/v1/lists/eu/updates?since=1")).JsonAsync();
        var step = Assert.Single(updates.GetProperty("steps").EnumerateArray());
        Assert.Equal("delta", step.GetProperty("kind").GetString());
        Assert.Equal(2, step.GetProperty("version").GetInt64());
        Assert.Equal(60, updates.GetProperty("minimumWaitSeconds").GetInt32());
        state = await SyncAsync(isp, state);
        Assert.Equal(["a.example/1", "c.example/3", "d.example/4"], state.Entries.Select(e => e.Expression).Order().ToArray());

        // no state: the latest snapshot, then the deltas after it
        await SubmitAsync(hotline, Payloads.Add("http://e.example/5"));
        await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "publish in test" }));
        var fresh = await (await isp.GetAsync("/api/v1/lists/eu/updates")).JsonAsync();
        Assert.Equal("snapshot", fresh.GetProperty("steps")[0].GetProperty("kind").GetString());
        var rebuilt = await SyncAsync(isp, ListState.Empty(ListName.Parse("eu")));
        state = await SyncAsync(isp, state);
        Assert.Equal(3, rebuilt.Version);
        Assert.Equal(state.StateHash, rebuilt.StateHash);
        Assert.Equal(4, rebuilt.Count);
    }

    [Fact]
    public async Task Updates_carry_a_strong_etag_and_answer_304_to_if_none_match_and_files_are_cacheable()
    {
        await using var api = PublishApi.OnMemoryStores();
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "etag-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "operator");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "isp-etag", "*");
        await SubmitAsync(hotline, Payloads.Add("http://a.example/1"));
        await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "publish in test" }));

        var first = await isp.GetAsync("/api/v1/lists/eu/updates?since=0");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag!;
        Assert.False(etag.IsWeak);
        var again = new HttpRequestMessage(HttpMethod.Get, "/api/v1/lists/eu/updates?since=0");
        again.Headers.IfNoneMatch.Add(etag);
        var notModified = await isp.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag);

        var other = new HttpRequestMessage(HttpMethod.Get, "/api/v1/lists/eu/updates?since=1");
        other.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.OK, (await isp.SendAsync(other)).StatusCode);

        var versioned = await isp.GetAsync("/api/v1/lists/eu/artifacts/v/1/delta.json.gz");
        Assert.Equal("public, max-age=31536000, immutable", versioned.Headers.CacheControl!.ToString());
        Assert.False(versioned.Headers.ETag!.IsWeak);
        var current = await isp.GetAsync("/api/v1/lists/eu/manifest");
        Assert.Equal("no-cache", current.Headers.CacheControl!.ToString());
        var cached = new HttpRequestMessage(HttpMethod.Get, "/api/v1/lists/eu/artifacts/v/1/delta.json.gz");
        cached.Headers.IfNoneMatch.Add(versioned.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await isp.SendAsync(cached)).StatusCode);
    }

    [Fact]
    public async Task A_client_told_304_waits_the_services_minimum_wait_not_its_own_default()
    {
        // Found by the soak suite: a 304 has no body, the client read the wait from a header the service did not send,
        // and every up-to-date ISP waited the client's 60 s default instead of what the operator configured.
        await using var api = PublishApi.OnMemoryStores(new Dictionary<string, string?> { ["Publishing:MinimumWaitSeconds"] = "7" });
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "wait-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "operator");
        var (_, ispKey) = await api.ClientForAsync(Roles.Isp, "isp-wait", "*");
        await SubmitAsync(hotline, Payloads.Add("http://wait.example/1"));
        await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "publish in test" }));
        using var http = api.CreateClient();
        using var service = new BlocklistService.Cli.Service.ServiceClient(http.BaseAddress!, ispKey.Value, http);
        var feed = new BlocklistService.Cli.Sync.UpdateFeed(service, TimeProvider.System);

        var changes = Assert.IsType<BlocklistService.Cli.Sync.PollAnswer.Changes>(await feed.PollAsync(ListName.Parse("eu"), 0, null, CancellationToken.None));
        var notModified = Assert.IsType<BlocklistService.Cli.Sync.PollAnswer.NotModified>(await feed.PollAsync(ListName.Parse("eu"), 0, changes.ETag, CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(7), changes.MinimumWait);
        Assert.Equal(TimeSpan.FromSeconds(7), notModified.MinimumWait);
    }

    [Fact]
    public async Task An_isp_key_reads_only_its_lists_and_bad_requests_get_problems()
    {
        await using var api = PublishApi.OnMemoryStores();
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "isp-uk", "uk");
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "some-hotline");

        Assert.Equal(HttpStatusCode.Forbidden, (await isp.GetAsync("/api/v1/lists/eu/updates?since=0")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await isp.GetAsync("/api/v1/lists/eu/manifest")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hotline.GetAsync("/api/v1/lists/uk/updates?since=0")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync("/api/v1/lists/uk/updates")).StatusCode);
        var bad = await isp.GetAsync("/api/v1/lists/uk/updates?since=-1");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.JsonAsync()).GetProperty("errors").TryGetProperty("since", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await isp.GetAsync("/api/v1/lists/uk/artifacts/../eu/manifest.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await isp.GetAsync("/api/v1/lists/uk/artifacts/v/9/delta.json.gz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync("/api/v1/keys")).StatusCode);
    }

    [Fact]
    public async Task Admins_see_each_isp_keys_last_contact_reported_version_and_lag()
    {
        await using var api = PublishApi.OnMemoryStores();
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "lag-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "operator");
        var (isp, ispKey) = await api.ClientForAsync(Roles.Isp, "isp-lag", "eu");
        var (_, silentKey) = await api.ClientForAsync(Roles.Isp, "isp-silent", "eu");
        await SubmitAsync(hotline, Payloads.Add("http://a.example/1"));
        await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "publish in test" }));
        Assert.Equal(HttpStatusCode.OK, (await isp.GetAsync("/api/v1/lists/eu/updates?since=0")).StatusCode);
        await SubmitAsync(hotline, Payloads.Add("http://b.example/2"));
        await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "publish in test" }));

        var isps = (await (await admin.GetAsync("/api/v1/admin/isps")).JsonAsync()).GetProperty("isps").EnumerateArray().ToList();
        var polled = isps.Single(i => i.GetProperty("keyId").GetString() == ispKey.KeyId);
        Assert.Equal(JsonValueKind.String, polled.GetProperty("lastContact").ValueKind);
        var eu = Assert.Single(polled.GetProperty("lists").EnumerateArray());
        Assert.Equal(2, eu.GetProperty("currentVersion").GetInt64());
        Assert.Equal(0, eu.GetProperty("reportedVersion").GetInt64());
        Assert.Equal(2, eu.GetProperty("lag").GetInt64());
        var silent = isps.Single(i => i.GetProperty("keyId").GetString() == silentKey.KeyId);
        Assert.Equal(JsonValueKind.Null, silent.GetProperty("lastContact").ValueKind);
        Assert.Equal(HttpStatusCode.Forbidden, (await isp.GetAsync("/api/v1/admin/isps")).StatusCode);
    }

    /// <summary>Submits items verified yesterday and due for review in 60 days, so nothing expires during a test.</summary>
    internal static async Task SubmitAsync(HttpClient hotline, params System.Text.Json.Nodes.JsonObject[] items)
    {
        foreach (var item in items.Where(i => (string?)i["action"] == "add"))
        {
            item["verifiedAt"] = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            item["reviewBy"] = DateTimeOffset.UtcNow.AddDays(60).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Equal(HttpStatusCode.Accepted, (await hotline.SendAsync(Payloads.Post(Payloads.Body(items)))).StatusCode);
    }

    /// <summary>
    /// A careful ISP client: pins the keys from /api/v1/keys, polls, fetches every step and the manifest with their
    /// signatures, checks hashes, applies, and accepts only when version, count and state hash match the manifest.
    /// </summary>
    internal static async Task<ListState> SyncAsync(HttpClient isp, ListState state)
    {
        var keys = KeySet.FromJson(await isp.GetByteArrayAsync("/api/v1/keys")).Value;
        using var verifier = SignatureVerifier.FromPem(keys.Keys.Select(k => k.PublicKeyPem)).Value;
        var updates = await (await isp.GetAsync($"/api/v1/lists/{state.List}/updates?since={state.Version}")).JsonAsync();
        var working = state.Clone();
        foreach (var step in updates.GetProperty("steps").EnumerateArray())
        {
            var bytes = await SignedAsync(isp, verifier, step.GetProperty("url").GetString()!, step.GetProperty("signatureUrl").GetString()!);
            Assert.Equal(step.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(step.GetProperty("size").GetInt64(), bytes.Length);
            if (step.GetProperty("kind").GetString() == "snapshot")
            {
                working = ListState.FromSnapshot(Snapshot.FromGzip(bytes).Value).Value;
            }
            else
            {
                var applied = working.Apply(Delta.FromGzip(bytes).Value);
                Assert.True(applied.IsSuccess, applied.Error);
            }
        }

        var location = updates.GetProperty("manifest");
        var manifestBytes = await SignedAsync(isp, verifier, location.GetProperty("url").GetString()!, location.GetProperty("signatureUrl").GetString()!);
        Assert.Equal(location.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(manifestBytes)));
        var manifest = Manifest.FromJson(manifestBytes).Value;
        Assert.Equal(updates.GetProperty("currentVersion").GetInt64(), manifest.Version);
        Assert.Equal(manifest.Version, working.Version);
        Assert.Equal(manifest.EntryCount, working.Count);
        Assert.Equal(manifest.StateHash, working.StateHash);
        Assert.True(verifier.IsPinned(manifest.KeyId));
        Assert.Equal(manifestBytes, await isp.GetByteArrayAsync($"/api/v1/lists/{state.List}/manifest"));
        return working;
    }

    private static async Task<byte[]> SignedAsync(HttpClient isp, SignatureVerifier verifier, string url, string signatureUrl)
    {
        var bytes = await isp.GetByteArrayAsync(url);
        var signature = await isp.GetByteArrayAsync(signatureUrl);
        Assert.True(verifier.Verify(bytes, signature), $"{url} signature");
        return bytes;
    }
}
