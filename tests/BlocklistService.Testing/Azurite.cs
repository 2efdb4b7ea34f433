using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace BlocklistService.Testing;

/// <summary>
/// A real Azurite for tests. When <c>BLOCKLIST_TEST_STORAGE</c> holds a connection string (tools/test starts one
/// Azurite for the whole run) that one is used; otherwise an in-memory Azurite from the checkout's node_modules is
/// started on free loopback ports and stopped on dispose. Tests isolate themselves with unique table and
/// container names (<see cref="UniqueName"/>), never by clearing storage.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development account key (public, documented by Microsoft).</summary>
    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process? _process;

    private Azurite(string connectionString, Uri blobEndpoint, Uri tableEndpoint, Process? process)
    {
        ConnectionString = connectionString;
        BlobEndpoint = blobEndpoint;
        TableEndpoint = tableEndpoint;
        _process = process;
    }

    public string ConnectionString { get; }

    public Uri BlobEndpoint { get; }

    public Uri TableEndpoint { get; }

    /// <summary>A lowercase alphanumeric name, unique per call, valid for tables and containers.</summary>
    public static string UniqueName(string prefix) =>
        (prefix + Guid.NewGuid().ToString("N"))[..Math.Min(prefix.Length + 32, 60)].ToLowerInvariant();

    public static async Task<Azurite> StartAsync(CancellationToken cancellationToken = default)
    {
        var shared = Environment.GetEnvironmentVariable("BLOCKLIST_TEST_STORAGE");
        if (!string.IsNullOrWhiteSpace(shared))
        {
            var (blob, table) = ParseEndpoints(shared);
            return new Azurite(shared, blob, table, null);
        }

        var executable = Path.Combine(RepositoryPaths.Root, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run `npm ci` in {RepositoryPaths.Root} (tools/test does).");
        }

        for (var attempt = 0; ; attempt++)
        {
            var (blobPort, queuePort, tablePort) = (FreePort(), FreePort(), FreePort());
            var info = new ProcessStartInfo(executable)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetTempPath(),
            };
            foreach (var argument in new[]
            {
                "--silent", "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck",
                "--blobPort", blobPort.ToString(), "--queuePort", queuePort.ToString(), "--tablePort", tablePort.ToString(),
            })
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (await WaitForPortsAsync(process, [blobPort, tablePort], cancellationToken))
            {
                var blob = new Uri($"http://127.0.0.1:{blobPort}/{AccountName}");
                var table = new Uri($"http://127.0.0.1:{tablePort}/{AccountName}");
                return new Azurite(BuildConnectionString(blob, table), blob, table, process);
            }

            process.Kill(entireProcessTree: true);
            process.Dispose();
            if (attempt == 2)
            {
                throw new InvalidOperationException("Azurite did not start on free ports after three attempts");
            }
        }
    }

    public static string BuildConnectionString(Uri blobEndpoint, Uri tableEndpoint) =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};" +
        $"BlobEndpoint={blobEndpoint};TableEndpoint={tableEndpoint};";

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private static (Uri Blob, Uri Table) ParseEndpoints(string connectionString)
    {
        var parts = connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
        return (new Uri(parts["BlobEndpoint"]), new Uri(parts["TableEndpoint"]));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> WaitForPortsAsync(Process process, int[] ports, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            var open = 0;
            foreach (var port in ports)
            {
                using var client = new TcpClient();
                try
                {
                    await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    open++;
                }
                catch (SocketException)
                {
                    break;
                }
            }

            if (open == ports.Length)
            {
                return true;
            }

            await Task.Delay(100, cancellationToken);
        }

        return false;
    }
}

/// <summary>xunit fixture: one Azurite shared by the tests of a class or collection.</summary>
public sealed class AzuriteFixture : Xunit.IAsyncLifetime
{
    private Azurite? _azurite;

    public Azurite Azurite => _azurite ?? throw new InvalidOperationException("Azurite not started");

    public string ConnectionString => Azurite.ConnectionString;

    public async Task InitializeAsync() => _azurite = await Azurite.StartAsync();

    public async Task DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}
