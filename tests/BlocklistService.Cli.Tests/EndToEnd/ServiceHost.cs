using System.Net;
using System.Net.Http.Headers;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Publishing;
using BlocklistService.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>
/// The real BlocklistService server (its own <c>Program</c>, every route) on a real Kestrel at 127.0.0.1, on Azurite
/// behind a unique table/container prefix, signing with a PEM key from disk, with lists <c>eu</c> and <c>uk</c> and a
/// bootstrap admin key. The background scheduler is off, so a version is published only by
/// <c>POST /api/v1/admin/publish</c>. The CLI reaches it over TCP like any client would.
/// </summary>
internal sealed class ServiceHost : WebApplicationFactory<PublishRunner>
{
    private readonly string _connectionString;
    private readonly string _signingKeyPath;
    private readonly IReadOnlyDictionary<string, string> _extra;

    private ServiceHost(string connectionString, string signingKeyPath, IReadOnlyDictionary<string, string>? extra)
    {
        _connectionString = connectionString;
        _signingKeyPath = signingKeyPath;
        _extra = extra ?? new Dictionary<string, string>();
        AdminKey = ApiKey.Generate();
    }

    /// <summary>The bootstrap admin key (its hash is the server's <c>Bootstrap:AdminKey</c> setting).</summary>
    public ApiKey AdminKey { get; }

    /// <summary>Where Kestrel listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <param name="extra">Settings added to (or overriding) the defaults, e.g. <c>Publishing:HoldChanges</c>.</param>
    public static ServiceHost Start(string connectionString, string signingKeyPath, IReadOnlyDictionary<string, string>? extra = null)
    {
        var host = new ServiceHost(connectionString, signingKeyPath, extra);
        host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        host.StartServer();
        // Storage is prepared in the background after the server listens; the tests start once it is ready.
        host.Services.GetRequiredService<StorageStartup>().Ready.WaitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();
        var address = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        host.BaseUri = new Uri(address.TrimEnd('/') + "/");
        return host;
    }

    /// <summary>An HTTP client over the loopback socket that sends <paramref name="key"/>.</summary>
    public HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>
        {
            ["Storage:ConnectionString"] = _connectionString,
            ["Storage:TablePrefix"] = Azurite.UniqueName("e")[..13],
            // A shared, loaded test machine's Azurite can take seconds per request: not the 5 s budget production keeps.
            ["Storage:RequestPath:NetworkTimeout"] = "00:00:30",
            ["Storage:RequestPath:MaxRetries"] = "3",
            ["Bootstrap:Lists:0"] = "eu",
            ["Bootstrap:Lists:1"] = "uk",
            ["Bootstrap:AdminKey"] = Bootstrapper.AdminKeySetting(AdminKey),
            ["Signing:Provider"] = "pem",
            ["Signing:PemPath"] = _signingKeyPath,
            ["Publishing:Interval"] = "00:00:00",
            ["Publishing:HeadCacheTtl"] = "00:00:00",
            ["Publishing:PollRecordInterval"] = "00:00:00",
            ["Logging:Format"] = "simple",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in _extra)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
