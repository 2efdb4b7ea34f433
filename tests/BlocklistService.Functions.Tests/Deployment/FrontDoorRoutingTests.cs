using System.Net;
using System.Text;
using System.Text.Json;
using BlocklistService.Functions.Endpoints;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.AspNetCore.Http;

namespace BlocklistService.Functions.Tests.Deployment;

/// <summary>
/// What the Functions front door can reach: every HTTP function's route is host.json's route prefix plus the
/// function.json route, matched by ASP.NET Core routing as the host does. Only <c>/api/...</c>, the public stop page and
/// the web console are reachable; the timer's <c>/Publish</c> is not, and the handler refuses a proxied-looking timer
/// call as well.
/// </summary>
public sealed class FrontDoorRoutingTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly string Definitions = Path.Combine(RepositoryPaths.Root, "functions", "BlocklistService.Functions", "FunctionDefinitions");

    [Theory]
    [InlineData("/Publish")]
    [InlineData("/publish")]
    [InlineData("/")]
    [InlineData("/v1/lists/eu/updates")]
    [InlineData("/apiv1/keys")]
    public void The_front_door_routes_no_path_outside_api_to_the_handler(string path)
    {
        Assert.False(DeploymentPackageLayout.Routed(FrontDoorRoutes(), path));
    }

    [Theory]
    [InlineData("/api/v1/lists/eu/updates")]
    [InlineData("/api/v1/submissions")]
    [InlineData("/api/health")]
    [InlineData("/api/openapi.json")]
    [InlineData("/stop")]
    [InlineData("/stop/eu")]
    [InlineData("/console")]
    [InlineData("/console/sign-in")]
    public void Every_api_path_the_stop_page_and_the_console_reach_the_handler(string path)
    {
        Assert.True(DeploymentPackageLayout.Routed(FrontDoorRoutes(), path));
    }

    [Fact]
    public void The_http_routes_are_exactly_the_api_the_stop_page_and_the_console_and_proxy_the_original_path()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));
        var handler = host.RootElement.GetProperty("customHandler");

        // With proxying on, the host forwards the request's original path (/api/v1/...), so the server's routes apply.
        Assert.True(handler.GetProperty("enableProxyingHttpRequest").GetBoolean());
        Assert.Equal(["api/{*path}", "console/{*path}", "stop/{*jurisdiction}"], FrontDoorRoutes().Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("X-ARR-LOG-ID", "0f3a1b2c-1111-2222-3333-444455556666")]
    [InlineData("X-Forwarded-For", "203.0.113.9:51234")]
    [InlineData("X-Original-URL", "/Publish")]
    [InlineData("DISGUISED-HOST", "func-blocklist-prod.azurewebsites.net")]
    [InlineData("Authorization", "Bearer bls_0000000000000000_secret")]
    public async Task The_handler_refuses_a_timer_call_that_carries_a_proxy_header(string header, string value)
    {
        await using var api = PublishApi.Create(storage.ConnectionString);
        using var client = api.CreateClient();
        using var request = TimerInvocation();
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("urn:blocklist:problem:not-a-timer-invocation", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_handler_refuses_a_timer_call_addressed_to_a_public_host_name()
    {
        await using var api = PublishApi.Create(storage.ConnectionString);
        using var client = api.CreateClient();
        using var request = TimerInvocation();
        request.Headers.Host = "func-blocklist-prod.azurewebsites.net";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_call_shaped_like_the_hosts_own_timer_invocation_runs()
    {
        // What the host sends (HttpScriptInvocationContext posted to the loopback port): its invocation headers only.
        await using var api = PublishApi.Create(storage.ConnectionString);
        using var client = api.CreateClient();
        using var request = TimerInvocation();
        request.Headers.Host = "127.0.0.1:40123";

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(PublishEndpoints.ProxiedBy(new DefaultHttpContext { Request = { Host = new HostString("127.0.0.1", 40123) } }.Request));
    }

    private static HttpRequestMessage TimerInvocation()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/Publish")
        {
            Content = new StringContent("""{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.TryAddWithoutValidation("X-Azure-Functions-HostVersion", "4.1040.0.0");
        request.Headers.UserAgent.ParseAdd("Azure-Functions-Host/4.1040.0.0");
        return request;
    }

    /// <summary>The route template of every HTTP-triggered function, prefix included, as the host registers it.</summary>
    private static List<string> FrontDoorRoutes()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json")));
        var functions = Directory.GetFiles(Definitions, "function.json", SearchOption.AllDirectories)
            .Select(file => JsonDocument.Parse(File.ReadAllText(file))).ToList();
        try
        {
            return DeploymentPackageLayout.FrontDoorRoutes(host.RootElement, functions.Select(f => f.RootElement));
        }
        finally
        {
            functions.ForEach(f => f.Dispose());
        }
    }
}
