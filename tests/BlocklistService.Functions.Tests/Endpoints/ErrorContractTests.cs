using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azure;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlocklistService.Functions.Tests.Endpoints;

/// <summary>
/// Every error the server answers, the framework's own included, is problem+json with a <c>urn:blocklist:problem:</c>
/// type and an <c>errors</c> map; client errors are logged below error level. The server is the real composition
/// (<c>AddBlocklistService</c> / <c>MapBlocklistService</c>) with a few extra routes that throw what a bug or a storage
/// outage throws.
/// </summary>
public sealed class ErrorContractTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private readonly LogCollector _logs = new();
    private WebApplication _app = null!;
    private HttpClient _anonymous = null!;
    private HttpClient _isp = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = storage.ConnectionString,
            ["Storage:TablePrefix"] = Azurite.UniqueName("e")[..13],
            ["Bootstrap:Lists:0"] = "eu",
            ["Logging:LogLevel:Default"] = "Information",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(_logs);
        builder.Services.AddBlocklistService(builder.Configuration);
        _app = builder.Build();
        _app.MapBlocklistService();
        _app.MapGet("/api/test/throws/{kind}", (string kind) => kind switch
        {
            "bug" => throw new InvalidOperationException("internal detail that must not leak"),
            "storage-refused" => throw new RequestFailedException(0, "Connection refused (127.0.0.1:1)"),
            "storage-busy" => throw new RequestFailedException(503, "The server is busy.", "ServerBusy", null),
            "storage-timeout" => throw new TaskCanceledException("The operation was cancelled because it exceeded the network timeout.", new TimeoutException()),
            "storage-conflict" => throw new RequestFailedException(409, "The specified entity already exists.", "EntityAlreadyExists", null),
            _ => Results.Ok(),
        });
        await _app.StartAsync();
        // Tables are created in the background after the server listens; issue keys once they exist.
        await _app.Services.GetRequiredService<StorageStartup>().Ready.WaitAsync(TimeSpan.FromMinutes(2));

        var keys = _app.Services.GetRequiredService<Stores.ApiKeyStore>();
        _anonymous = _app.GetTestClient();
        _isp = WithKey((await keys.IssueAsync(Roles.Isp, "contract-isp", ["eu"], CancellationToken.None)).Key.Value);
        _admin = WithKey((await keys.IssueAsync(Roles.Admin, "contract-admin", [], CancellationToken.None)).Key.Value);
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task No_key_is_401_unauthorized() =>
        await AssertProblemAsync(await _anonymous.GetAsync("/api/v1/submissions/s0"), HttpStatusCode.Unauthorized, "unauthorized");

    [Fact]
    public async Task A_malformed_key_is_401_unauthorized()
    {
        var client = WithKey("not-a-key");

        await AssertProblemAsync(await client.GetAsync("/api/v1/admin/keys"), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_key_of_the_wrong_role_is_403_forbidden() =>
        await AssertProblemAsync(await _isp.GetAsync("/api/v1/admin/keys"), HttpStatusCode.Forbidden, "forbidden");

    [Theory]
    [InlineData("/api/v1/nothing-here")]
    [InlineData("/nothing")]
    [InlineData("/api/v1/lists/eu/updates/extra/segments")]
    public async Task An_unknown_route_is_404_not_found(string path) =>
        await AssertProblemAsync(await _anonymous.GetAsync(path), HttpStatusCode.NotFound, "not-found");

    [Fact]
    public async Task A_wrong_method_is_405_method_not_allowed() =>
        await AssertProblemAsync(await _admin.PutAsync("/api/v1/admin/keys", new StringContent("{}", Encoding.UTF8, "application/json")),
            HttpStatusCode.MethodNotAllowed, "method-not-allowed");

    [Fact]
    public async Task An_oversized_key_request_is_413()
    {
        var body = "{\"role\":\"hotline\",\"organisation\":\"" + new string('a', 70_000) + "\"}";

        var response = await _admin.PostAsync("/api/v1/admin/keys", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large", "body");
    }

    [Fact]
    public async Task A_key_request_that_is_not_json_is_415()
    {
        var response = await _admin.PostAsync("/api/v1/admin/keys", new StringContent("role=admin", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type", "Content-Type");
    }

    [Fact]
    public async Task An_unexpected_exception_is_500_internal_error_without_its_details_and_is_logged_as_an_error()
    {
        var response = await _anonymous.GetAsync("/api/test/throws/bug");

        var problem = await AssertProblemAsync(response, HttpStatusCode.InternalServerError, "internal-error");
        Assert.DoesNotContain("internal detail", problem.ToString());
        Assert.Contains(_logs.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
    }

    [Theory]
    [InlineData("storage-refused")]
    [InlineData("storage-busy")]
    [InlineData("storage-timeout")]
    public async Task Storage_that_is_unreachable_throttling_or_too_slow_is_503_with_retry_after(string kind)
    {
        var response = await _anonymous.GetAsync("/api/test/throws/" + kind);

        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "storage-unavailable");
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_storage_answer_that_is_not_an_outage_is_not_disguised_as_one() =>
        await AssertProblemAsync(await _anonymous.GetAsync("/api/test/throws/storage-conflict"), HttpStatusCode.InternalServerError, "internal-error");

    [Theory]
    [InlineData("""{"role":"hotline",""")]
    [InlineData("""{"role":42,"organisation":"x"}""")]
    [InlineData("""{"role":"isp","role":"admin","organisation":"x","lists":["eu"]}""")]
    [InlineData("""{"role":"hotline","organisation":"\ud800"}""")]
    public async Task Malformed_bodies_are_logged_below_error_level(string body)
    {
        var response = await _admin.PostAsync("/api/v1/admin/keys", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed-body");
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData("""{"url":"http://a.example/","contact":"x@example.org","statement":"s\ud800"}""", "statement")]
    [InlineData("""{"url":"http://a.example/","contact":"x@example.org","statement":"s","Statement":"t"}""", "Statement")]
    [InlineData("""{"url":"http://a.example/","contact":["x"],"statement":"s"}""", "contact")]
    public async Task A_body_the_framework_binds_follows_the_same_json_policy(string body, string field)
    {
        var response = await _anonymous.PostAsync("/api/v1/appeals", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed-body", field);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_client_that_accepts_only_html_still_gets_problem_json()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/nothing-here");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        await AssertProblemAsync(await _anonymous.SendAsync(request), HttpStatusCode.NotFound, "not-found");
    }

    private HttpClient WithKey(string key)
    {
        var client = _app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<System.Text.Json.JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal("urn:blocklist:problem:" + code, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Equal(System.Text.Json.JsonValueKind.Object, problem.GetProperty("errors").ValueKind);
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), text);
        }

        return problem;
    }

    /// <summary>Keeps every log entry of the server, to assert levels.</summary>
    private sealed class LogCollector : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Category, Exception? Exception)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCollector owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((logLevel, category, exception));
        }
    }
}
