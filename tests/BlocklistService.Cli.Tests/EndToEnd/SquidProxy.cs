using System.Diagnostics;
using System.Net;
using BlocklistService.Testing;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>A fact that runs only where squid, unbound with its Python module, dig and python3 are installed (.ci/run installs them).</summary>
public sealed class HashedFeedFactAttribute : FactAttribute
{
    public HashedFeedFactAttribute()
    {
        if (!File.Exists(SquidProxy.Executable))
        {
            Skip = "squid is not installed: apt-get install squid (.ci/run does) to run the proxy test";
        }
        else if (!File.Exists(UnboundResolver.Executable) && !ProcessRunner.IsOnPath("unbound"))
        {
            Skip = "unbound is not installed: apt-get install unbound (.ci/run does)";
        }
        else if (!File.Exists(ResolverPlugin.UnboundPythonModule))
        {
            Skip = "Unbound's Python module is not installed: apt-get install python3-unbound (.ci/run does)";
        }
        else if (!ProcessRunner.IsOnPath("dig") || !ProcessRunner.IsOnPath("python3"))
        {
            Skip = "dig and python3 are needed: apt-get install bind9-dnsutils python3 (.ci/run does)";
        }
    }
}

/// <summary>
/// A real Squid in the foreground on a free loopback port, resolving names from its own hosts file (every test name
/// points at 127.0.0.1) and asking an external ACL helper about each request; stopped with its helpers on dispose.
/// </summary>
public sealed class SquidProxy : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/squid";

    private readonly Process _process;
    private readonly string _cacheLog;

    private SquidProxy(Process process, int port, string cacheLog)
    {
        _process = process;
        Port = port;
        _cacheLog = cacheLog;
    }

    public int Port { get; }

    /// <summary>What Squid logged so far (helper messages included).</summary>
    public string Log => File.Exists(_cacheLog) ? File.ReadAllText(_cacheLog) : string.Empty;

    /// <summary>
    /// Starts Squid with <paramref name="aclLines"/> (the external_acl_type, acl, deny_info and http_access deny lines
    /// under test) before allowing localhost; returns once it proxies a request to <paramref name="readyUrl"/>.
    /// </summary>
    public static async Task<SquidProxy> StartAsync(string directory, IEnumerable<string> hosts, string aclLines, string readyUrl)
    {
        var port = UnboundResolver.FreePort();
        var hostsFile = Path.Combine(directory, "squid-hosts");
        await File.WriteAllTextAsync(hostsFile, $"127.0.0.1 {string.Join(' ', hosts)}\n");
        var cacheLog = Path.Combine(directory, "squid-cache.log");
        var accessLog = Path.Combine(directory, "squid-access.log");
        foreach (var log in new[] { cacheLog, accessLog })
        {
            await File.WriteAllTextAsync(log, string.Empty);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(log, (UnixFileMode)0b110_110_110); // written by Squid after it switched to the proxy user
            }
        }

        var config = Path.Combine(directory, "squid.conf");
        await File.WriteAllTextAsync(config, $"""
            http_port 127.0.0.1:{port}
            pid_filename none
            cache_effective_user proxy
            cache_log {cacheLog}
            access_log stdio:{accessLog}
            cache deny all
            shutdown_lifetime 0 seconds
            hosts_file {hostsFile}
            dns_nameservers 127.0.0.1
            coredump_dir {directory}
            {aclLines}
            http_access allow localhost
            http_access deny all

            """);
        var parse = await ProcessRunner.RunAsync(Executable, ["-k", "parse", "-f", config]);
        Assert.True(parse.ExitCode == 0, parse.ToString());
        var info = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-N", "-f", config })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var proxy = new SquidProxy(process, port, cacheLog);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"squid exited:\n{proxy.Log}");
            try
            {
                using var client = proxy.Client();
                using var response = await client.GetAsync(readyUrl);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return proxy;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        await proxy.DisposeAsync();
        Assert.Fail($"squid did not proxy {readyUrl} within 30 s:\n{proxy.Log}");
        return proxy;
    }

    /// <summary>An HTTP client that goes through this proxy and does not follow redirects.</summary>
    public HttpClient Client() => new(new HttpClientHandler
    {
        Proxy = new WebProxy($"http://127.0.0.1:{Port}"),
        UseProxy = true,
        AllowAutoRedirect = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(20),
    };

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}

/// <summary>
/// A local origin server (python3's http.server) answering every GET with 200 and <c>origin page for {path}</c>, so a
/// test can tell the origin's page from the proxy's refusal.
/// </summary>
public sealed class OriginServer : IAsyncDisposable
{
    private const string Script = """
        import http.server, sys
        class Origin(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = ("origin page for " + self.path).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Origin).serve_forever()
        """;

    private readonly Process _process;

    private OriginServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<OriginServer> StartAsync(string directory)
    {
        var script = Path.Combine(directory, "origin.py");
        await File.WriteAllTextAsync(script, Script);
        var port = UnboundResolver.FreePort();
        var info = new ProcessStartInfo("python3") { UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var origin = new OriginServer(Process.Start(info)!, port);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var response = await client.GetAsync($"http://127.0.0.1:{port}/");
                return origin;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        await origin.DisposeAsync();
        Assert.Fail("the origin server did not start");
        return origin;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
