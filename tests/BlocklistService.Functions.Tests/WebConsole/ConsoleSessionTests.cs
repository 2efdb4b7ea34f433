using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Functions.WebConsole;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.WebConsole;

/// <summary>The console's sign-in, session cookie, CSRF rule, role checks and response headers, over HTTP against Azurite.</summary>
public sealed partial class ConsoleSessionTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly ManualTime _time = new(DateTimeOffset.UtcNow);
    private ApiFactory _api = null!;

    public Task InitializeAsync()
    {
        _api = new ApiFactory(storage.ConnectionString, services: s => s.AddSingleton<TimeProvider>(_time));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Sign_in_sets_an_HttpOnly_SameSite_Strict_Secure_host_cookie_over_HTTPS_and_keeps_only_a_hash_of_it()
    {
        var (_, key) = await _api.ClientForAsync(Roles.Admin, "operator");
        var client = _api.Client(https: true);

        var signIn = await client.SignInAsync(key.Value);
        var setCookie = signIn.Response.Headers.GetValues("Set-Cookie").Single();
        var token = signIn.Cookie!.Split('=', 2)[1];
        var rows = await _api.RowsAsync("consolesessions", "session");

        Assert.Equal(HttpStatusCode.SeeOther, signIn.Response.StatusCode);
        Assert.Equal("/console", signIn.Response.Headers.Location!.OriginalString);
        Assert.StartsWith($"{ConsoleCookie.SecureName}=", setCookie);
        Assert.Contains("; secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", setCookie, StringComparison.OrdinalIgnoreCase);
        var row = Assert.Single(rows);
        Assert.Equal(ConsoleSessionLayout.RowKeyOf(token), row.RowKey);
        Assert.DoesNotContain(row.Properties, p => p.Value is string s && (s.Contains(token) || s.Contains(key.Secret)));
        Assert.DoesNotContain(key.Secret, await (await client.GetConsoleAsync("/console", signIn.Cookie)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Over_plain_HTTP_the_cookie_is_not_marked_Secure_and_has_no_host_prefix()
    {
        var (_, key) = await _api.ClientForAsync(Roles.Auditor, "regulator");

        var signIn = await _api.Client().SignInAsync(key.Value);
        var setCookie = signIn.Response.Headers.GetValues("Set-Cookie").Single();

        Assert.StartsWith($"{ConsoleCookie.PlainName}=", setCookie);
        Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_hotline_session_cannot_reach_admin_pages_or_admin_APIs_but_reaches_its_own()
    {
        var (_, key) = await _api.ClientForAsync(Roles.Hotline, "hotline-a");
        var client = _api.Client();
        var signIn = await client.SignInAsync(key.Value);

        var adminPage = await client.GetConsoleAsync("/console/keys", signIn.Cookie);
        var adminApi = await client.GetConsoleAsync("/api/v1/admin/keys", signIn.Cookie);
        var auditApi = await client.GetConsoleAsync("/api/v1/audit/log/checkpoint", signIn.Cookie);
        var issue = await client.SendAsync(ConsoleSessions.With(
            new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/keys") { Content = JsonContent.Create(new { role = "admin", organisation = "x" }) },
            signIn.Cookie, signIn.CsrfToken));
        var ownPage = await client.GetConsoleAsync("/console/submissions", signIn.Cookie);
        var ownHtml = await ownPage.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, adminPage.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, adminApi.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, auditApi.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, issue.StatusCode);
        Assert.Equal("application/problem+json", issue.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, ownPage.StatusCode);
        Assert.Contains("hotline-a", ownHtml);
        Assert.Contains("<strong id=\"who-role\">hotline</strong>", ownHtml);
        Assert.DoesNotContain("/console/keys", ownHtml);
    }

    [Fact]
    public async Task A_state_change_without_the_sessions_CSRF_token_is_refused_and_changes_nothing()
    {
        var (_, key) = await _api.ClientForAsync(Roles.Admin, "operator");
        var client = _api.Client();
        var signIn = await client.SignInAsync(key.Value);
        var keysBefore = (await _api.RowsAsync(StorageNames.ApiKeys, "key")).Count;

        HttpRequestMessage Issue(string? csrf) => ConsoleSessions.With(
            new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/keys") { Content = JsonContent.Create(new { role = "auditor", organisation = "court", reason = "court case 7" }) },
            signIn.Cookie, csrf);
        var missing = await client.SendAsync(Issue(null));
        var wrong = await client.SendAsync(Issue(ConsoleSessionLayout.NewToken()));
        var keysAfterRefusals = (await _api.RowsAsync(StorageNames.ApiKeys, "key")).Count;
        var right = await client.SendAsync(Issue(signIn.CsrfToken));

        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        Assert.Equal("urn:blocklist:problem:csrf-token-required", (await missing.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(keysBefore, keysAfterRefusals);
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
    }

    [Fact]
    public async Task Sign_out_needs_the_CSRF_token_and_then_the_cookie_opens_nothing()
    {
        var (_, key) = await _api.ClientForAsync(Roles.Admin, "operator");
        var client = _api.Client();
        var signIn = await client.SignInAsync(key.Value);

        HttpRequestMessage SignOut(string? csrf) => ConsoleSessions.With(
            new HttpRequestMessage(HttpMethod.Post, "/console/sign-out") { Content = new FormUrlEncodedContent(csrf is null ? [] : [new("csrf", csrf)]) },
            signIn.Cookie, null);
        var forged = await client.SendAsync(SignOut(null));
        var stillIn = await client.GetConsoleAsync("/api/v1/admin/keys", signIn.Cookie);
        var signedOut = await client.SendAsync(SignOut(signIn.CsrfToken));
        var page = await client.GetConsoleAsync("/console", signIn.Cookie);
        var apiCall = await client.GetConsoleAsync("/api/v1/admin/keys", signIn.Cookie);

        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, signedOut.StatusCode);
        Assert.Contains(signedOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith($"{ConsoleCookie.PlainName}=;", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.SeeOther, page.StatusCode);
        Assert.Equal("/console/sign-in", page.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, apiCall.StatusCode);
        Assert.Empty(await _api.RowsAsync("consolesessions", "session"));
    }

    [Fact]
    public async Task A_session_idle_longer_than_the_timeout_is_over_and_one_in_use_is_not()
    {
        var (_, key) = await _api.ClientForAsync(Roles.Auditor, "regulator");
        var client = _api.Client();
        var signIn = await client.SignInAsync(key.Value);

        _time.Advance(TimeSpan.FromMinutes(10));
        var used = await client.GetConsoleAsync("/api/v1/audit/lists", signIn.Cookie);
        _time.Advance(TimeSpan.FromMinutes(10));
        var afterUse = await client.GetConsoleAsync("/api/v1/audit/lists", signIn.Cookie);
        _time.Advance(TimeSpan.FromMinutes(16));
        var idle = await client.GetConsoleAsync("/api/v1/audit/lists", signIn.Cookie);

        Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterUse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, idle.StatusCode);
    }

    [Fact]
    public async Task Revoking_the_key_ends_the_sessions_signed_in_with_it()
    {
        var (admin, _) = await _api.ClientForAsync(Roles.Admin, "operator");
        var (_, hotline) = await _api.ClientForAsync(Roles.Hotline, "hotline-b");
        var client = _api.Client();
        var signIn = await client.SignInAsync(hotline.Value);

        var before = await client.GetConsoleAsync("/console/submissions", signIn.Cookie);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeKeyAsync(hotline.KeyId)).StatusCode);
        var page = await client.GetConsoleAsync("/console/submissions", signIn.Cookie);
        var again = await client.SignInAsync(hotline.Value);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, page.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, again.Response.StatusCode);
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    public async Task A_sign_in_posted_from_another_site_is_refused(string site)
    {
        var (_, key) = await _api.ClientForAsync(Roles.Admin, "operator");

        var signIn = await _api.Client().SignInAsync(key.Value, site);

        Assert.Equal(HttpStatusCode.Forbidden, signIn.Response.StatusCode);
        Assert.False(signIn.Response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Unknown_wrong_revoked_and_ISP_keys_get_no_session()
    {
        var (admin, _) = await _api.ClientForAsync(Roles.Admin, "operator");
        var (_, isp) = await _api.ClientForAsync(Roles.Isp, "isp-a", "eu");
        var (_, revoked) = await _api.ClientForAsync(Roles.Auditor, "gone");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeKeyAsync(revoked.KeyId)).StatusCode);
        var client = _api.Client();

        var unknown = await client.SignInAsync(ApiKey.Generate().Value);
        var wrongSecret = await client.SignInAsync(new ApiKey(isp.KeyId, ApiKey.Generate().Secret).Value);
        var wasRevoked = await client.SignInAsync(revoked.Value);
        var ispKey = await client.SignInAsync(isp.Value);
        var empty = await client.SignInAsync(" ");
        var json = await client.PostAsJsonAsync("/console/session", new { apiKey = isp.Value });

        Assert.Equal(HttpStatusCode.Unauthorized, unknown.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wasRevoked.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, ispKey.Response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.Response.StatusCode);
        Assert.Contains("apiKey", await empty.Response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Empty(await _api.RowsAsync("consolesessions", "session"));
    }

    [Fact]
    public async Task Every_page_for_every_role_has_a_strict_CSP_frame_protection_and_no_inline_script()
    {
        var pages = new List<HttpResponseMessage> { await _api.Client().GetConsoleAsync("/console/sign-in", null) };
        foreach (var role in new[] { Roles.Admin, Roles.Hotline, Roles.Auditor })
        {
            var (_, key) = await _api.ClientForAsync(role, $"org-{role}");
            var client = _api.Client();
            var signIn = await client.SignInAsync(key.Value);
            foreach (var page in ConsolePages.All.Where(p => p.Allows(role)))
            {
                pages.Add(await client.GetConsoleAsync(page.Path, signIn.Cookie));
            }
        }

        foreach (var response in pages)
        {
            var html = await response.Content.ReadAsStringAsync();
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("script-src 'self';", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.DoesNotContain("unsafe-eval", csp);
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
            Assert.DoesNotMatch(InlineScript(), html);
            Assert.DoesNotMatch(InlineHandler(), html);
            Assert.DoesNotContain("style=", html);
        }
    }

    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex("\\son[a-z]+=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();
}
