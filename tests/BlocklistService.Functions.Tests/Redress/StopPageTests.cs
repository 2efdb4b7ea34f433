using System.Net;
using System.Net.Http.Headers;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Redress;

public sealed class StopPageTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    // a stop host per jurisdiction, and every other host (what an RPZ CNAME/A target receives) with the uk text
    private static readonly Dictionary<string, string?> Hosts = new()
    {
        ["StopPage:Hosts:stop.blocklist.test"] = "eu",
        ["StopPage:Hosts:*"] = "uk",
        ["StopPage:ApiHosts:0"] = "localhost",
        ["StopPage:ApiHosts:1"] = "127.0.0.1",
        ["StopPage:Jurisdictions:uk:DefaultLanguage"] = "en",
        ["StopPage:Jurisdictions:uk:Languages:en:Title"] = "Blocked in the United Kingdom",
        ["StopPage:Jurisdictions:uk:Languages:en:Explanation"] = "Reported to and verified by the UK hotline.",
        ["StopPage:Jurisdictions:uk:Languages:en:LegalBasis"] = "UK law",
        ["StopPage:Jurisdictions:uk:Languages:en:Authority"] = "UK hotline",
        ["StopPage:Jurisdictions:uk:Languages:en:Appeal"] = "Appeal at the UK hotline",
        ["StopPage:Jurisdictions:uk:Languages:en:Contact"] = "uk@hotline.test",
    };

    [Fact]
    public async Task The_stop_page_is_plain_cacheable_html_under_a_csp_that_allows_no_script()
    {
        await using var api = new ApiFactory(storage.ConnectionString);
        using var client = api.CreateClient();

        var response = await client.GetAsync("/stop");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Article 25 of Directive 2011/93/EU", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"<[^>]*\son[a-z]+\s*=", html); // no event handler attributes
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'none'; style-src 'sha256-", csp);
        Assert.DoesNotContain("script-src", csp);
        Assert.Equal("public, max-age=3600", response.Headers.CacheControl!.ToString());
        Assert.Contains("Accept-Language", response.Headers.Vary);
        Assert.Equal(["en"], response.Content.Headers.ContentLanguage);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("fr-FR, de-AT;q=0.9, en;q=0.5", "de", "Der Zugang zu dieser Adresse wurde gesperrt")]
    [InlineData("en-GB", "en", "Access to this address has been blocked")]
    [InlineData("fr, it;q=0.8", "en", "Access to this address has been blocked")]
    [InlineData("de;q=0, en;q=0.1", "en", "Access to this address has been blocked")]
    public async Task The_language_follows_accept_language_and_falls_back_to_the_jurisdictions_default(string acceptLanguage, string language, string title)
    {
        await using var api = new ApiFactory(storage.ConnectionString);
        using var client = api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/stop");
        request.Headers.TryAddWithoutValidation("Accept-Language", acceptLanguage);

        var response = await client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal([language], response.Content.Headers.ContentLanguage);
        Assert.Contains($"<html lang=\"{language}\">", html);
        Assert.Contains($"<h1>{title}</h1>", html);
    }

    [Fact]
    public async Task Head_answers_the_headers_of_get_without_a_body()
    {
        await using var api = new ApiFactory(storage.ConnectionString);
        using var client = api.CreateClient();

        var get = await client.GetAsync("/stop");
        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/stop"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(get.Content.Headers.ContentLength, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_passed_url_is_shown_html_escaped_and_the_page_is_the_same_whether_or_not_it_is_listed()
    {
        await using var api = PublishApi.Create(storage.ConnectionString);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "stop-hotline");
        var (admin, _) = await api.ClientForAsync(Roles.Admin, "stop-admin");
        var submitted = await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://listed.example/a"))));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "publish in test" }));
        using var client = api.CreateClient();

        var listed = await client.GetStringAsync("/stop?url=" + Uri.EscapeDataString("http://listed.example/a"));
        var unlisted = await client.GetStringAsync("/stop?url=" + Uri.EscapeDataString("http://other.example/a"));
        var hostile = await client.GetStringAsync("/stop?url=" + Uri.EscapeDataString("http://x.example/<script>alert(1)</script>\"'"));

        Assert.Contains("<code>http://listed.example/a</code>", listed);
        Assert.Equal(listed.Replace("listed.example", "@"), unlisted.Replace("other.example", "@"));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;", hostile);
        Assert.DoesNotContain("<script", hostile, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Every_path_on_a_stop_host_is_the_stop_page_and_the_api_stays_on_its_own_hosts()
    {
        await using var api = new ApiFactory(storage.ConnectionString, Hosts);
        using var client = api.CreateClient();

        var named = await client.SendAsync(WithHost(HttpMethod.Get, "/any/path?x=1", "stop.blocklist.test"));
        var blocked = await client.SendAsync(WithHost(HttpMethod.Get, "/some/page", "blocked.example"));
        var apiRoute = await client.SendAsync(WithHost(HttpMethod.Get, "/api/v1/submissions/x", "blocked.example"));
        var health = await client.GetAsync("/api/health");
        var unknown = await client.GetAsync("/stop/atlantis");
        var uk = await client.GetStringAsync("/stop/uk");

        Assert.Equal(HttpStatusCode.UnavailableForLegalReasons, named.StatusCode);
        Assert.Contains("Access to this address has been blocked", await named.Content.ReadAsStringAsync());
        Assert.DoesNotContain("<code>", await named.Content.ReadAsStringAsync()); // the stop host's own name is not the address asked for
        Assert.Equal(HttpStatusCode.UnavailableForLegalReasons, blocked.StatusCode);
        var blockedHtml = await blocked.Content.ReadAsStringAsync();
        Assert.Contains("Blocked in the United Kingdom", blockedHtml);
        Assert.Contains("<code>blocked.example</code>", blockedHtml);
        Assert.Contains("Host", blocked.Headers.Vary);
        Assert.Equal(HttpStatusCode.UnavailableForLegalReasons, apiRoute.StatusCode); // no API behind a blocked name
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Blocked in the United Kingdom", uk);
    }

    [Fact]
    public async Task Curl_with_a_host_header_gets_the_stop_page_from_a_real_socket()
    {
        await using var api = new KestrelApi(storage.ConnectionString, Hosts);
        var port = api.Start();

        var body = await ProcessRunner.RunAsync("curl", ["-sS", "-i", "-H", "Host: blocked.example", "-H", "Accept-Language: de", $"http://127.0.0.1:{port}/page?id=7"], timeout: TimeSpan.FromSeconds(30));
        var head = await ProcessRunner.RunAsync("curl", ["-sS", "-I", "-H", "Host: stop.blocklist.test", $"http://127.0.0.1:{port}/stop"], timeout: TimeSpan.FromSeconds(30));

        Assert.Equal(0, body.ExitCode);
        Assert.StartsWith("HTTP/1.1 451", body.StandardOutput);
        Assert.Contains("<code>blocked.example</code>", body.StandardOutput);
        Assert.Contains("content-security-policy: default-src 'none'", body.StandardOutput, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, head.ExitCode);
        Assert.StartsWith("HTTP/1.1 200", head.StandardOutput);
        Assert.Contains("content-language: en", head.StandardOutput, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("content-length: ", head.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }

    private static HttpRequestMessage WithHost(HttpMethod method, string path, string host)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Host = host;
        return request;
    }

    /// <summary>The server on a real Kestrel socket at 127.0.0.1, for clients outside the process.</summary>
    private sealed class KestrelApi(string connectionString, IReadOnlyDictionary<string, string?> settings) : IAsyncDisposable
    {
        private readonly ApiFactory _factory = new(connectionString, settings);

        public int Start()
        {
            _factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            _factory.StartServer();
            var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new Uri(address).Port;
        }

        public ValueTask DisposeAsync() => _factory.DisposeAsync();
    }
}
