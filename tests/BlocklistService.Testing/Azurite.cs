using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace BlocklistService.Testing;

/// <summary>
/// A real Azurite for tests. When <c>BLOCKLIST_TEST_STORAGE</c> holds a connection string (tools/test starts one
/// Azurite for the whole run) that one is used; otherwise an in-memory Azurite from the checkout's node_modules is
/// started on free loopback ports and stopped on dispose. Tests isolate themselves with unique table and
/// container names (<see cref="UniqueName"/>), never by clearing storage. Tests and benchmarks that inject storage
/// faults start one of their own (<see cref="StartOwnAsync"/>) and freeze, kill and restart it.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    public const string AccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development account key (public, documented by Microsoft).</summary>
    public const string AccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const int SigCont = 18;
    private const int SigStop = 19;

    private readonly (int Blob, int Queue, int Table)? _ports;
    private readonly string? _location;
    private readonly int _niceness;
    private Process? _process;

    private Azurite(string connectionString, Uri blobEndpoint, Uri tableEndpoint, Process? process, (int, int, int)? ports = null, string? location = null, int niceness = 0)
    {
        _niceness = niceness;
        ConnectionString = connectionString;
        BlobEndpoint = blobEndpoint;
        TableEndpoint = tableEndpoint;
        _process = process;
        _ports = ports;
        _location = location;
    }

    public string ConnectionString { get; }

    public Uri BlobEndpoint { get; }

    public Uri TableEndpoint { get; }

    /// <summary>The process id of an Azurite of this run's own; null for the run's shared one.</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>A lowercase alphanumeric name, unique per call, valid for tables and containers.</summary>
    public static string UniqueName(string prefix) =>
        (prefix + Guid.NewGuid().ToString("N"))[..Math.Min(prefix.Length + 32, 60)].ToLowerInvariant();

    public static Task<Azurite> StartAsync(CancellationToken cancellationToken = default)
    {
        var shared = Environment.GetEnvironmentVariable("BLOCKLIST_TEST_STORAGE");
        if (!string.IsNullOrWhiteSpace(shared))
        {
            var (blob, table) = ParseEndpoints(shared);
            return Task.FromResult(new Azurite(shared, blob, table, null));
        }

        return StartOwnAsync(null, cancellationToken);
    }

    /// <summary>
    /// An Azurite process of the caller's own, never the run's shared one, so it can be frozen, killed and restarted:
    /// in memory, or on disk under <paramref name="location"/> (then a restart finds the data again). A non-zero
    /// <paramref name="niceness"/> starts it (and every restart) under <c>nice -n</c>: a benchmark that simulates many
    /// clients on the same cores gives storage precedence with a negative value (which needs root; otherwise
    /// <c>nice</c> warns and runs it at the usual priority).
    /// </summary>
    public static async Task<Azurite> StartOwnAsync(string? location = null, CancellationToken cancellationToken = default, int niceness = 0)
    {
        for (var attempt = 0; ; attempt++)
        {
            var ports = (Blob: FreePort(), Queue: FreePort(), Table: FreePort());
            var process = await LaunchAsync(ports, location, niceness, cancellationToken);
            if (process is not null)
            {
                var blob = new Uri($"http://127.0.0.1:{ports.Blob}/{AccountName}");
                var table = new Uri($"http://127.0.0.1:{ports.Table}/{AccountName}");
                return new Azurite(BuildConnectionString(blob, table), blob, table, process, ports, location, niceness);
            }

            if (attempt == 2)
            {
                throw new InvalidOperationException("Azurite did not start on free ports after three attempts");
            }
        }
    }

    /// <summary>SIGSTOP: the ports still accept connections, nothing answers (storage hanging).</summary>
    public void Freeze() => Signal(SigStop);

    /// <summary>SIGCONT after <see cref="Freeze"/>: Azurite answers again, including what queued meanwhile.</summary>
    public void Thaw() => Signal(SigCont);

    /// <summary>Kills the process (SIGKILL): connections are refused until <see cref="RestartAsync"/>.</summary>
    public async Task KillAsync()
    {
        var process = OwnProcess();
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Starts Azurite again on the same ports (and data directory, if it has one) after <see cref="KillAsync"/>.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (OwnProcess() is { HasExited: false })
        {
            throw new InvalidOperationException("Azurite is still running; kill it first");
        }

        _process!.Dispose();
        _process = await LaunchAsync(_ports!.Value, _location, _niceness, cancellationToken)
                   ?? throw new InvalidOperationException("Azurite did not start again on its ports");
    }

    private Process OwnProcess() =>
        _process ?? throw new InvalidOperationException("this is the run's shared Azurite; start one with StartOwnAsync to inject faults");

    private void Signal(int signal)
    {
        if (Kill(OwnProcess().Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process!.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Starts the process and waits for its blob and table ports; null (process gone) if it did not come up.</summary>
    private static async Task<Process?> LaunchAsync((int Blob, int Queue, int Table) ports, string? location, int niceness, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(RepositoryPaths.Root, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"{executable} is missing: run `npm ci` in {RepositoryPaths.Root} (tools/test does).");
        }

        // nice execs the program, so the process id (signals, kills) stays Azurite's own
        var info = new ProcessStartInfo(niceness == 0 ? executable : "nice")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (niceness != 0)
        {
            info.ArgumentList.Add("-n");
            info.ArgumentList.Add(niceness.ToString(CultureInfo.InvariantCulture));
            info.ArgumentList.Add(executable);
        }

        var storage = location is null ? new[] { "--inMemoryPersistence" } : ["--location", location];
        if (location is not null)
        {
            Directory.CreateDirectory(location);
        }

        foreach (var argument in storage.Concat(
        [
            "--silent", "--disableTelemetry", "--skipApiVersionCheck",
            "--blobPort", ports.Blob.ToString(CultureInfo.InvariantCulture),
            "--queuePort", ports.Queue.ToString(CultureInfo.InvariantCulture),
            "--tablePort", ports.Table.ToString(CultureInfo.InvariantCulture),
        ]))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await WaitForPortsAsync(process, [ports.Blob, ports.Table], cancellationToken))
        {
            return process;
        }

        process.Kill(entireProcessTree: true);
        process.Dispose();
        return null;
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
        _process = null;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

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
