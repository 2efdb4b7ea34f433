using System.Net;
using System.Text;
using System.Text.Json;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Tests.Support;

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
        await using var api = PublishApi.OnMemoryStores();
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "timer-hotline");
        Assert.Equal(HttpStatusCode.Accepted, (await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://a.example/1"))))).StatusCode);
        using var client = api.CreateClient();

        using var response = await client.PostAsync("/Publish", new StringContent(TimerRequest, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Object, body.RootElement.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("ReturnValue").ValueKind);
        var logs = body.RootElement.GetProperty("Logs").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.Contains("eu: published (version 1)", logs);
    }

    [Fact]
    public async Task A_request_without_data_is_refused_with_a_problem()
    {
        await using var api = PublishApi.OnMemoryStores();
        using var client = api.CreateClient();

        using var response = await client.PostAsync("/Publish", new StringContent("{}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
