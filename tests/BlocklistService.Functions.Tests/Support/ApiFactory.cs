using System.Net.Http.Headers;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Publishing;
using BlocklistService.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BlocklistService.Functions.Tests.Support;

/// <summary>
/// The real server over in-process HTTP against Azurite, isolated by a unique table prefix. Lists <c>eu</c> and
/// <c>uk</c> exist; tests issue the keys they need through the real key store.
/// </summary>
public sealed class ApiFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    private StorageStartup? _startup;

    public string TablePrefix { get; } = Azurite.UniqueName("t")[..13];

    public string ConnectionString => connectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:ConnectionString", connectionString);
        builder.UseSetting("Storage:TablePrefix", TablePrefix);

        // A shared, loaded test machine's Azurite can take seconds per request: not the 5 s budget production keeps
        // (StorageClientsTests check that policy on its own).
        builder.UseSetting("Storage:RequestPath:NetworkTimeout", "00:00:30");
        builder.UseSetting("Storage:RequestPath:MaxRetries", "3");
        builder.UseSetting("Bootstrap:Lists:0", "eu");
        builder.UseSetting("Bootstrap:Lists:1", "uk");
        builder.UseSetting("Logging:Format", "simple");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }

        // Captured here because a server that refuses its configuration stops and disposes its services at once.
        builder.ConfigureTestServices(s => s.AddSingleton(provider => _startup = new StorageStartup(provider.GetRequiredService<TimeProvider>())));
    }

    /// <summary>
    /// Starts the server and waits until its background storage preparation (tables, lists, bootstrap keys, key set)
    /// has finished, so tests see what a client sees once the service is ready.
    /// </summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        var startup = _startup ?? host.Services.GetRequiredService<StorageStartup>();
        startup.Ready.WaitAsync(TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();
        return host;
    }

    /// <summary>This server's row store (same prefix), for asserting what was written.</summary>
    public IRowStore Rows => Services.GetRequiredService<IRowStore>();

    /// <summary>Issues a key through the real store and returns a client that sends it.</summary>
    public async Task<(HttpClient Client, ApiKey Key)> ClientForAsync(string role, string organisation, params string[] lists)
    {
        var (key, _) = await Services.GetRequiredService<ApiKeyStore>().IssueAsync(role, organisation, lists, CancellationToken.None);
        return (WithKey(key.Value), key);
    }

    public HttpClient WithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Every row of a table partition.</summary>
    public async Task<List<Row>> RowsAsync(string table, string partitionKey)
    {
        var rows = new List<Row>();
        await foreach (var row in Rows.QueryAsync(table, partitionKey, null, null, CancellationToken.None))
        {
            rows.Add(row);
        }

        return rows;
    }
}
