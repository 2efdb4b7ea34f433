using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Stores;
using BlocklistService.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlocklistService.Bench;

/// <summary>
/// The whole server as <c>Program.cs</c> composes it (API, publisher, audit), on Kestrel at 127.0.0.1 on a free port,
/// against a given storage account, with an ephemeral signing key and without rate limits. Benchmarks drive it over
/// real HTTP.
/// </summary>
public sealed class LocalService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly string _keyFile;

    private LocalService(WebApplication app, Uri address, string keyFile)
    {
        _app = app;
        Address = address;
        _keyFile = keyFile;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<LocalService> StartAsync(
        string connectionString, IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var keyFile = Path.Combine(Path.GetTempPath(), Azurite.UniqueName("bench-key") + ".pem");
        using (var signer = PemArtifactSigner.Generate())
        {
            await File.WriteAllTextAsync(keyFile, signer.ToPkcs8Pem(), cancellationToken);
        }

        var builder = WebApplication.CreateBuilder(["--urls", $"http://127.0.0.1:{port}"]);
        var configuration = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = connectionString,
            // Each start is a fresh deployment with its own signing key, so it gets its own tables and containers:
            // a second start on the same storage would otherwise find the first one's key set chain.
            ["Storage:TablePrefix"] = Azurite.UniqueName("b")[..13],
            ["Bootstrap:Lists:0"] = "eu",
            ["RateLimits:PermitsPerWindow"] = "1000000",
            ["RateLimits:Window"] = "00:00:01",
            ["Signing:Provider"] = "pem",
            ["Signing:PemPath"] = keyFile,
        };
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Error);
        builder.UseCustomHandlerPort();
        builder.Services.AddBlocklistService(builder.Configuration);
        var app = builder.Build();
        app.MapBlocklistService();
        await app.StartAsync(cancellationToken);
        // Storage is prepared in the background after the server listens; measurements start once it is ready.
        await app.Services.GetRequiredService<StorageStartup>().Ready.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        return new LocalService(app, new Uri($"http://127.0.0.1:{port}"), keyFile);
    }

    /// <summary>An admin key issued straight through the store (the bootstrap's job); everything else goes through the API.</summary>
    public async Task<string> IssueAdminKeyAsync(CancellationToken cancellationToken)
    {
        var (key, _) = await Services.GetRequiredService<ApiKeyStore>().IssueAsync(Roles.Admin, "bench-admin", [], cancellationToken);
        return key.Value;
    }

    /// <summary>A client sending <paramref name="key"/> as its bearer token.</summary>
    public HttpClient Client(string key)
    {
        var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    /// <summary>Issues a key through <c>POST /api/v1/admin/keys</c>.</summary>
    public static async Task<string> IssueKeyAsync(HttpClient admin, string role, string organisation, string[]? lists, CancellationToken cancellationToken)
    {
        using var response = await admin.PostAsJsonAsync("/api/v1/admin/keys", new { role, organisation, lists, reason = "benchmark key" }, cancellationToken);
        var body = await Expect(response, HttpStatusCode.Created, cancellationToken);
        return JsonNode.Parse(body)!["key"]!.GetValue<string>();
    }

    /// <summary>Submits <paramref name="urls"/> as adds to list eu; returns the submission id.</summary>
    public static async Task<string> SubmitAsync(HttpClient hotline, IEnumerable<string> urls, CancellationToken cancellationToken)
    {
        var items = new JsonArray();
        var i = 0;
        foreach (var url in urls)
        {
            items.Add(new JsonObject
            {
                ["action"] = "add", ["url"] = url, ["scope"] = "exact", ["lists"] = new JsonArray("eu"), ["category"] = "csam",
                ["reference"] = $"BENCH-{i++}", ["verifiedAt"] = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), ["verifiedBy"] = new JsonArray("analyst-a", "analyst-b"),
            });
        }

        using var content = new StringContent(new JsonObject { ["items"] = items }.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await hotline.PostAsync("/api/v1/submissions", content, cancellationToken);
        var receipt = JsonNode.Parse(await Expect(response, HttpStatusCode.Accepted, cancellationToken))!;
        return receipt["accepted"]!.GetValue<int>() == i
            ? receipt["submissionId"]!.GetValue<string>()
            : throw new InvalidOperationException($"the benchmark's submission was not accepted whole: {receipt.ToJsonString()[..Math.Min(500, receipt.ToJsonString().Length)]}");
    }

    /// <summary>Runs one publish cycle through <c>POST /api/v1/admin/publish</c>.</summary>
    public static async Task PublishAsync(HttpClient admin, CancellationToken cancellationToken)
    {
        using var response = await admin.PostAsync("/api/v1/admin/publish", System.Net.Http.Json.JsonContent.Create(new { reason = "benchmark publish" }), cancellationToken);
        await Expect(response, HttpStatusCode.OK, cancellationToken);
    }

    public static async Task<string> Expect(HttpResponseMessage response, HttpStatusCode status, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.StatusCode == status
            ? body
            : throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {body}");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        File.Delete(_keyFile);
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
