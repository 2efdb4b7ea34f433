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
/// The real server over in-process HTTP. By default against Azurite, isolated by a unique table prefix; built with
/// <see cref="OnMemoryStores"/>, against the in-memory row and blob stores instead (the same seam, the same contract
/// suite), for the many API tests whose subject is the API and not Table Storage. Lists <c>eu</c> and <c>uk</c> exist;
/// tests issue the keys they need through the real key store.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    /// <summary>Accepted by the storage options' validation and never dialled: in memory mode no SDK client is built.</summary>
    private const string UnusedConnectionString = "UseDevelopmentStorage=true";

    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string?>? _settings;
    private readonly Action<IServiceCollection>? _services;
    private StorageStartup? _startup;

    /// <summary>A server on the Azurite account <paramref name="connectionString"/> names.</summary>
    public ApiFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        (_connectionString, _settings, _services) = (connectionString, settings, services);
    }

    private ApiFactory(MemoryStorage memory, IReadOnlyDictionary<string, string?>? settings, Action<IServiceCollection>? services)
        : this(UnusedConnectionString, settings, services)
    {
        Memory = memory;
    }

    /// <summary>
    /// A server whose request path and publisher both use <paramref name="memory"/> (a fresh pair when null; pass one
    /// pair to several servers for a restart or a second instance over the same storage).
    /// </summary>
    public static ApiFactory OnMemoryStores(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, MemoryStorage? memory = null) =>
        new(memory ?? new MemoryStorage(), settings, services);

    /// <summary>The in-memory stores this server runs on, or null when it runs on Azurite.</summary>
    public MemoryStorage? Memory { get; }

    public string TablePrefix { get; } = Azurite.UniqueName("t")[..13];

    public string ConnectionString => Memory is null ? _connectionString : throw new InvalidOperationException("this server runs on in-memory stores, not on Azurite");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Storage:ConnectionString", _connectionString);
        builder.UseSetting("Storage:TablePrefix", TablePrefix);

        // A shared, loaded test machine's Azurite can take seconds per request: not the 5 s budget production keeps
        // (StorageClientsTests check that policy on its own).
        builder.UseSetting("Storage:RequestPath:NetworkTimeout", "00:00:30");
        builder.UseSetting("Storage:RequestPath:MaxRetries", "3");
        builder.UseSetting("Bootstrap:Lists:0", "eu");
        builder.UseSetting("Bootstrap:Lists:1", "uk");
        builder.UseSetting("Logging:Format", "simple");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in _settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        // before the test's own services, so those can still wrap the stores (fault injection)
        if (Memory is { } memory)
        {
            builder.ConfigureTestServices(memory.Register);
        }

        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
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
