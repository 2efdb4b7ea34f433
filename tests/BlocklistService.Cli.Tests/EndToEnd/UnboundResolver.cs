using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using BlocklistService.Testing;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>A fact that runs only where unbound and dig are installed (CI installs both; see .ci/run).</summary>
public sealed class UnboundFactAttribute : FactAttribute
{
    public UnboundFactAttribute()
    {
        if (!ProcessRunner.IsOnPath("unbound") && !File.Exists("/usr/sbin/unbound"))
        {
            Skip = "unbound is not installed: apt-get install unbound (.ci/run does) to run the end-to-end DNS test";
        }
        else if (!ProcessRunner.IsOnPath("dig"))
        {
            Skip = "dig is not installed: apt-get install bind9-dnsutils (.ci/run does)";
        }
    }
}

/// <summary>The status and answer records of one dig query.</summary>
public sealed record DigAnswer(string Status, IReadOnlyList<string> Records)
{
    public override string ToString() => $"{Status}: {string.Join(" | ", Records)}";
}

/// <summary>
/// A real unbound in the foreground on a free loopback port, from a config file, stopped on dispose. Restart reloads
/// the configuration and its zone files.
/// </summary>
public sealed class UnboundResolver : IAsyncDisposable
{
    private readonly string _configPath;
    private readonly string _logPath;
    private readonly IDictionary<string, string?>? _environment;
    private Process? _process;

    private UnboundResolver(string configPath, int port, IDictionary<string, string?>? environment = null)
    {
        _environment = environment;
        _configPath = configPath;
        _logPath = configPath + ".log";
        Port = port;
    }

    public int Port { get; }

    public static string Executable => ProcessRunner.IsOnPath("unbound") ? "unbound" : "/usr/sbin/unbound";

    /// <summary>A loopback port free for TCP and UDP right now.</summary>
    public static int FreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var tcp = new TcpListener(IPAddress.Loopback, 0);
            tcp.Start();
            var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
            try
            {
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    /// <summary>Writes <paramref name="serverLines"/> and <paramref name="sections"/> into a config and starts unbound.</summary>
    public static async Task<UnboundResolver> StartAsync(string directory, string name, string serverLines, string sections, string readyName, IDictionary<string, string?>? environment = null)
    {
        var port = FreePort();
        var config = Path.Combine(directory, name + ".conf");
        await File.WriteAllTextAsync(config, $"""
            server:
              interface: 127.0.0.1
              port: {port}
              username: ""
              chroot: ""
              directory: "{directory}"
              pidfile: ""
              use-syslog: no
              logfile: ""
              verbosity: 1
              do-not-query-localhost: no
              access-control: 127.0.0.0/8 allow
            {serverLines}
            remote-control:
              control-enable: no
            {sections}
            """);
        var check = await ProcessRunner.RunAsync("unbound-checkconf", [config], environment: environment);
        Assert.True(check.ExitCode == 0, check.ToString());
        var resolver = new UnboundResolver(config, port, environment);
        await resolver.StartProcessAsync(readyName);
        return resolver;
    }

    /// <summary>
    /// An unbound that applies <paramref name="zone"/> as its RPZ (<c>rpz.blocklist.</c>, respip module) and forwards
    /// <c>test.</c> to the resolver on <paramref name="upstreamPort"/>.
    /// </summary>
    public static Task<UnboundResolver> StartRpzAsync(string directory, string zone, int upstreamPort, string readyName) =>
        StartAsync(
            directory,
            "rpz",
            """
              module-config: "respip iterator"
              domain-insecure: "test."
              local-zone: "test." nodefault
            """,
            $"""
            forward-zone:
              name: "test."
              forward-addr: 127.0.0.1@{upstreamPort}
            rpz:
              name: "rpz.blocklist."
              zonefile: "{zone}"
            """,
            readyName);

    /// <summary>Stops and starts unbound again, so it reads its zone files anew.</summary>
    public async Task RestartAsync(string readyName)
    {
        await StopAsync();
        await StartProcessAsync(readyName);
    }

    public async Task<DigAnswer> QueryAsync(string name, string type = "A")
    {
        var result = await ProcessRunner.RunAsync("dig", ["@127.0.0.1", "-p", Port.ToString(), "+tries=1", "+time=3", name, type]);
        Assert.True(result.ExitCode == 0, result.ToString());
        var status = Regex.Match(result.StandardOutput, @"status: (\w+)").Groups[1].Value;
        var records = new List<string>();
        var inAnswer = false;
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            if (line.StartsWith(";; ANSWER SECTION:", StringComparison.Ordinal))
            {
                inAnswer = true;
            }
            else if (inAnswer && line.Trim().Length == 0)
            {
                inAnswer = false;
            }
            else if (inAnswer)
            {
                var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                records.Add($"{fields[0]} {fields[3]} {fields[4]}");
            }
        }

        return new DigAnswer(status, records);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartProcessAsync(string readyName)
    {
        var info = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-d", "-c", _configPath })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _environment ?? new Dictionary<string, string?>())
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"unbound ({_configPath}) exited:\n{string.Join('\n', log)}");
            var probe = await ProcessRunner.RunAsync("dig", ["@127.0.0.1", "-p", Port.ToString(), "+tries=1", "+time=1", readyName, "A"]);
            if (probe.ExitCode == 0 && probe.StandardOutput.Contains("status: NOERROR", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }

        await File.WriteAllLinesAsync(_logPath, log);
        Assert.Fail($"unbound ({_configPath}) did not answer {readyName} within 20 s:\n{string.Join('\n', log)}");
    }

    private async Task StopAsync()
    {
        if (_process is { HasExited: false } running)
        {
            running.Kill();
            await running.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }
}
