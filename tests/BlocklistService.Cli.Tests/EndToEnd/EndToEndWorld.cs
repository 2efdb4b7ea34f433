using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BlocklistService.Testing;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>
/// Where every end-to-end test starts: a home directory, Azurite, a signing key made by <c>blocklist dev-key</c> (its
/// public PEM and key id kept for pinning), the real server (<see cref="ServiceHost"/>) signing with it, and the CLI
/// run in-process against it. One per test, never shared: the tests count leaves, versions and keys from an empty
/// service.
/// </summary>
internal sealed class EndToEndWorld : IAsyncDisposable
{
    /// <summary>The header of the CSV files the tests submit.</summary>
    public const string CsvHeader = "action,url,scope,lists,category,reference,verifiedAt,verifiedBy";

    private Azurite? _azurite;
    private ServiceHost? _service;

    private EndToEndWorld()
    {
    }

    public TemporaryDirectory Home { get; } = TestStates.TempDirectory();

    /// <summary>The CLI's state directory (<c>BLOCKLIST_STATE_DIR</c>) for every run.</summary>
    public string StateDirectory => Path.Combine(Home.Path, "state");

    public ServiceHost Service => _service ?? throw new InvalidOperationException("the service is not started");

    /// <summary>The service's public key as PEM on disk, for <c>--trusted-key</c> and openssl.</summary>
    public string PublicKeyPath { get; private set; } = null!;

    /// <summary>The service's key id (hex SHA-256 of the SubjectPublicKeyInfo), as <c>dev-key</c> printed it.</summary>
    public string KeyId { get; private set; } = null!;

    public string AdminKey => Service.AdminKey.Value;

    /// <param name="settings">Server settings beside <see cref="ServiceHost"/>'s defaults (e.g. <c>Publishing:HoldChanges</c>).</param>
    /// <param name="prepareHome">Runs on the home directory before anything is written to it.</param>
    public static async Task<EndToEndWorld> StartAsync(IReadOnlyDictionary<string, string>? settings = null, Action<string>? prepareHome = null)
    {
        var world = new EndToEndWorld();
        try
        {
            prepareHome?.Invoke(world.Home.Path);
            world._azurite = await Azurite.StartAsync();
            var signingKey = world.Home.File("signing-key.pem");
            var devKey = await world.CliAsync(null, "dev-key", "--output", signingKey, "--json");
            Assert.True(devKey.ExitCode == 0, devKey.ToString());
            world.KeyId = devKey.Json().GetProperty("keyId").GetString()!;
            world.PublicKeyPath = world.Home.File("service-public.pem");
            await File.WriteAllTextAsync(world.PublicKeyPath, devKey.Json().GetProperty("publicKeyPem").GetString());
            world._service = ServiceHost.Start(world._azurite.ConnectionString, signingKey, settings);
            return world;
        }
        catch
        {
            await world.DisposeAsync();
            throw;
        }
    }

    /// <summary>The CLI in-process, with only the service URL, the state directory and (if given) an API key in its environment.</summary>
    public Task<CliRun> CliAsync(string? apiKey, params string[] args)
    {
        var variables = new Dictionary<string, string> { ["BLOCKLIST_STATE_DIR"] = StateDirectory };
        if (_service is not null)
        {
            variables["BLOCKLIST_API_URL"] = _service.BaseUri.ToString();
        }

        if (apiKey is not null)
        {
            variables["BLOCKLIST_API_KEY"] = apiKey;
        }

        return CliRun.RunAsync(Home.Path, variables, args);
    }

    /// <summary><c>blocklist keys create</c> with the admin key; returns the new secret.</summary>
    public async Task<string> IssueKeyAsync(params string[] options)
    {
        var run = await CliAsync(AdminKey, ["keys", "create", .. options, "--reason", "key for the test", "--json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json().GetProperty("key").GetString()!;
    }

    /// <summary>
    /// Writes <paramref name="rows"/> under the CSV header to <paramref name="fileName"/> in the home directory and
    /// sends it with <c>blocklist submit</c>, which must succeed.
    /// </summary>
    public async Task<CliRun> SubmitAsync(string hotlineKey, string fileName, string rows)
    {
        var file = Home.File(fileName);
        await File.WriteAllTextAsync(file, CsvHeader + "\n" + rows.TrimEnd('\n') + "\n");
        var run = await CliAsync(hotlineKey, "submit", file, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    /// <summary><c>POST /api/v1/admin/publish</c>, which must succeed; returns each list's outcome and version.</summary>
    public async Task<Dictionary<string, (string Outcome, long Version)>> PublishAsync()
    {
        using var admin = Service.Client(AdminKey);
        using var response = await admin.PostAsync("api/v1/admin/publish", JsonContent.Create(new { reason = "publish in test" }));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("lists").EnumerateArray().ToDictionary(
            l => l.GetProperty("list").GetString()!,
            l => (l.GetProperty("outcome").GetString()!, l.GetProperty("version").GetInt64()));
    }

    /// <summary>A timestamp as submissions and the CLI's <c>--from</c>/<c>--to</c> take it (UTC, whole seconds).</summary>
    public static string Timestamp(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }

        Home.Dispose();
    }
}
