using System.Net;
using System.Text;
using System.Text.Json;
using BlocklistService.Functions.Publishing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Publishing;

public sealed class PublishEndpointTests
{
    private const string TimerRequest = """
        {"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-22T11:59:00+00:00","Next":"2026-11-22T12:01:00+00:00","LastUpdated":"2026-11-22T11:59:00+00:00"},"IsPastDue":false}},
         "Metadata":{"sys":{"MethodName":"Publish","UtcNow":"2026-11-22T12:00:00.0123456Z","RandGuid":"0c9f2d3e-7a51-4c1b-9d6e-3f0a1b2c3d4e"}}}
        """;

    [Fact]
    public async Task The_host_timer_request_runs_one_publish_cycle_and_gets_a_custom_handler_response()
    {
        using var world = new PublishWorld();
        await world.CreateListAsync("eu");
        await world.SubmitAsync("h1", ("add", "a.example/1", "eu", 30));
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services => services.AddSingleton(world.Runner())));
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/Publish", new StringContent(TimerRequest, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("ReturnValue").ValueKind);
        Assert.Equal("eu: published (version 1)", Assert.Single(body.RootElement.GetProperty("Logs").EnumerateArray()).GetString());
        Assert.Single((await world.VerifyChainAsync("eu")).Expressions);
    }

    [Fact]
    public async Task A_request_without_data_is_refused_with_a_problem()
    {
        using var world = new PublishWorld();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
            builder.ConfigureTestServices(services => services.AddSingleton(world.Runner())));
        using var client = factory.CreateClient();

        using var response = await client.PostAsync("/Publish", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
