using System.Net;
using System.Net.Http.Json;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Support;

namespace BlocklistService.Functions.Tests.Auth;

/// <summary>The server the <see cref="AdminKeyEndpointTests"/> share (every case issues keys of its own; rate limits are per key).</summary>
public sealed class AdminKeyServer() : SharedMemoryApi(new Dictionary<string, string?> { ["RateLimits:PermitsPerWindow"] = "5", ["RateLimits:Window"] = "00:00:30" });

public sealed class AdminKeyEndpointTests(AdminKeyServer server) : IClassFixture<AdminKeyServer>
{
    private readonly ApiFactory _api = server.Api;

    [Fact]
    public async Task An_issued_key_is_shown_once_stored_only_as_a_hash_and_works_for_its_role()
    {
        var (admin, _) = await _api.ClientForAsync(Roles.Admin, "issuer");

        var issued = await admin.PostAsJsonAsync("/api/v1/admin/keys", new { role = "isp", organisation = "example-isp", lists = new[] { "eu" }, reason = "new ISP contract" });
        var body = await issued.JsonAsync();
        var secretKey = body.GetProperty("key").GetString()!;
        var keyId = body.GetProperty("info").GetProperty("keyId").GetString()!;
        var listing = await (await admin.GetAsync("/api/v1/admin/keys")).Content.ReadAsStringAsync();
        var row = (await _api.RowsAsync(StorageNames.ApiKeys, "key")).Single(r => r.RowKey == keyId);

        Assert.Equal(HttpStatusCode.Created, issued.StatusCode);
        Assert.True(ApiKey.TryParse(secretKey, out var parsed));
        Assert.True(parsed.Secret.Length >= 22);
        Assert.Contains(keyId, listing);
        Assert.DoesNotContain(parsed.Secret, listing);
        Assert.DoesNotContain(row.Properties, p => p.Value is string s && s.Contains(parsed.Secret));
        Assert.Equal(parsed.SecretHash, row.GetBinary("SecretSha256"));
        Assert.Equal(["eu"], body.GetProperty("info").GetProperty("lists").EnumerateArray().Select(l => l.GetString()));
    }

    [Theory]
    [InlineData("""{"role":"root","organisation":"x"}""", "role")]
    [InlineData("""{"role":"isp","organisation":"x","lists":["nope"]}""", "lists")]
    [InlineData("""{"role":"isp","organisation":"x"}""", "lists")]
    [InlineData("""{"role":"hotline","organisation":"Bad Org"}""", "organisation")]
    [InlineData("""{"role":"hotline","organisation":"x","lists":["eu"]}""", "lists")]
    public async Task Invalid_key_requests_are_refused_naming_the_field(string json, string field)
    {
        var (admin, _) = await _api.ClientForAsync(Roles.Admin, "validator");

        var response = await admin.PostAsync("/api/v1/admin/keys", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData("""{"role":"hotline","organisation":"Acme Telecom"}""", "invalid: ")]
    [InlineData("""{"role":"hotline","organisation":""}""", "required: ")]
    [InlineData("""{"role":"hotline"}""", "required: ")]
    public async Task An_organisation_that_is_present_but_invalid_is_called_invalid_not_missing(string json, string prefix)
    {
        var (admin, _) = await _api.ClientForAsync(Roles.Admin, "organisation-words");

        var response = await admin.PostAsync("/api/v1/admin/keys", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await response.JsonAsync()).GetProperty("errors").GetProperty("organisation")[0].GetString()!;
        Assert.StartsWith(prefix, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"role":42,"organisation":"x"}""", "role")]
    [InlineData("""{"role":"hotline","organisation":"x","lists":"eu"}""", "lists")]
    [InlineData("""{"role":"hotline",""", "body")]
    public async Task Malformed_key_requests_are_refused_naming_the_field_and_issue_nothing(string json, string field)
    {
        var (admin, _) = await _api.ClientForAsync(Roles.Admin, "malformed");
        var before = (await (await admin.GetAsync("/api/v1/admin/keys")).JsonAsync()).GetProperty("keys").GetArrayLength();

        var response = await admin.PostAsync("/api/v1/admin/keys", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _));
        var after = (await (await admin.GetAsync("/api/v1/admin/keys")).JsonAsync()).GetProperty("keys").GetArrayLength();
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData("""{"role":"isp","role":"admin","organisation":"x","lists":["eu"]}""", "role")]
    [InlineData("""{"role":"isp","Role":"admin","organisation":"x","lists":["eu"]}""", "Role")]
    [InlineData("""{"role":"isp","organisation":"x","lists":[null]}""", "lists[0]")]
    [InlineData("""{"role":"isp","organisation":"x","lists":["eu",null]}""", "lists[1]")]
    [InlineData("""{"role":"isp","organisation":"x","lists":["*","eu"]}""", "lists")]
    [InlineData("""{"role":"isp","organisation":"x\ud800","lists":["eu"]}""", "organisation")]
    [InlineData("""{"role":"isp","organisation":"x","lists":["\udc00"]}""", "lists[0]")]
    public async Task Ambiguous_key_requests_are_refused_and_issue_nothing(string json, string field)
    {
        var (admin, _) = await _api.ClientForAsync(Roles.Admin, "ambiguous");
        var before = (await (await admin.GetAsync("/api/v1/admin/keys")).JsonAsync()).GetProperty("keys").GetArrayLength();

        var response = await admin.PostAsync("/api/v1/admin/keys", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.StartsWith("urn:blocklist:problem:", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        var after = (await (await admin.GetAsync("/api/v1/admin/keys")).JsonAsync()).GetProperty("keys").GetArrayLength();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Every_list_alone_is_still_a_valid_isp_key()
    {
        var (admin, _) = await _api.ClientForAsync(Roles.Admin, "star");

        var response = await admin.PostAsync("/api/v1/admin/keys",
            new StringContent("""{"role":"isp","organisation":"all-lists","lists":["*"],"reason":"reads every list"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["*"], (await response.JsonAsync()).GetProperty("info").GetProperty("lists").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_retry_after_while_other_keys_go_on()
    {
        var (busy, _) = await _api.ClientForAsync(Roles.Auditor, "busy");
        var (calm, _) = await _api.ClientForAsync(Roles.Auditor, "calm");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 7; i++)
        {
            var response = await busy.GetAsync("/api/v1/admin/keys");
            statuses.Add(response.StatusCode);
            limited = response.StatusCode == HttpStatusCode.TooManyRequests ? response : limited;
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Forbidden));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.InRange(int.Parse(limited!.Headers.GetValues("Retry-After").Single()), 1, 30);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await calm.GetAsync("/api/v1/admin/keys")).StatusCode);
    }
}
