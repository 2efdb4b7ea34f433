using System.Net;
using System.Text;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;

namespace BlocklistService.Functions.Tests.Auth;

/// <summary>Every route × every caller: the right role gets through, every other role gets 403, no valid key gets 401.</summary>
public sealed class RoleMatrixTests : IAsyncLifetime
{
    private ApiFactory _api = null!;

    public Task InitializeAsync()
    {
        _api = ApiFactory.OnMemoryStores();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private static readonly (string Method, string Path, string? Body, string? Role)[] Routes =
    [
        ("GET", "/", null, null),
        ("GET", "/api/health", null, null),
        ("GET", "/api/openapi.json", null, null),
        ("POST", "/api/v1/submissions", Payloads.Body(Payloads.Add("http://matrix.example/page")), Roles.Hotline),
        ("GET", $"/api/v1/submissions/s{new string('a', 40)}", null, Roles.Hotline),
        ("GET", "/api/v1/submissions?limit=5", null, Roles.Hotline),
        ("GET", "/api/v1/admin/lists/eu/revert?toVersion=1", null, Roles.Admin),
        ("POST", $"/api/v1/admin/reviews/listed/eu/{new string('a', 64)}/keep", """{"reason":"matrix"}""", Roles.Admin),
        ("POST", $"/api/v1/admin/reviews/listed/eu/{new string('a', 64)}/delist", """{"reason":"matrix"}""", Roles.Admin),
        ("POST", "/api/v1/admin/keys", """{"role":"auditor","organisation":"matrix-auditor","reason":"matrix"}""", Roles.Admin),
        ("GET", "/api/v1/admin/keys", null, Roles.Admin),
        ("DELETE", "/api/v1/admin/keys/0000000000000000", null, Roles.Admin),
        ("GET", "/api/v1/admin/reviews", null, Roles.Admin),
        ("POST", $"/api/v1/admin/reviews/s{new string('a', 40)}/items/0/approve", null, Roles.Admin),
        ("POST", $"/api/v1/admin/reviews/s{new string('a', 40)}/items/0/reject", null, Roles.Admin),
    ];

    [Fact]
    public async Task Every_route_admits_only_its_role()
    {
        var keys = new Dictionary<string, string?> { ["anonymous"] = null, ["malformed"] = "bls_not-a-key" };
        foreach (var role in Roles.All)
        {
            keys[role] = (await _api.ClientForAsync(role, $"matrix-{role}", role == Roles.Isp ? ["*"] : [])).Key.Value;
        }

        var (_, revoked) = await _api.ClientForAsync(Roles.Admin, "matrix-revoked");
        keys["revoked"] = revoked.Value;
        keys["wrong-secret"] = revoked.Value[..^4] + "AAAA";
        var admin = _api.WithKey(keys[Roles.Admin]);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeKeyAsync(revoked.KeyId)).StatusCode);

        var failures = new List<string>();
        foreach (var (method, path, body, role) in Routes)
        {
            foreach (var (caller, key) in keys)
            {
                var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                }

                var response = await _api.WithKey(key).SendAsync(request);
                var status = (int)response.StatusCode;
                var expected = role is null || caller == role ? "allowed" : Roles.IsKnown(caller) ? "403" : "401";
                var actual = status switch { 401 => "401", 403 => "403", < 500 => "allowed", _ => $"error {status}" };
                if (actual != expected)
                {
                    failures.Add($"{method} {path} as {caller}: expected {expected}, got {status}");
                }

                if (status is 401 or 403)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_on_its_very_next_request()
    {
        var (admin, _) = await _api.ClientForAsync(Roles.Admin, "revoker");
        var (hotline, hotlineKey) = await _api.ClientForAsync(Roles.Hotline, "soon-revoked");
        Assert.Equal(HttpStatusCode.NotFound, (await hotline.GetAsync($"/api/v1/submissions/s{new string('b', 40)}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeKeyAsync(hotlineKey.KeyId)).StatusCode);
        var after = await hotline.GetAsync($"/api/v1/submissions/s{new string('b', 40)}");

        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("Bearer", after.Headers.WwwAuthenticate.Single().Scheme);
    }
}
