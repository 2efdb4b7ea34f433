using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using System.Net.Http.Headers;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Publishing;
using BlocklistService.Testing;

namespace BlocklistService.Bench;

/// <summary>
/// ISP poll throughput: <c>GET /api/v1/lists/eu/updates?since=N</c> on Kestrel (127.0.0.1, Azurite behind it), on the
/// 304 path (<c>If-None-Match</c> with the current ETag, <c>since</c> = current version) and the 200 path
/// (<c>since=0</c>: the steps from nothing), driven by <c>wrk</c>. Baseline in the same run: nginx on another loopback
/// port serving the same current manifest bytes as a static file (etag on), with and without <c>If-None-Match</c>.
/// The server is the Functions project's own executable in a process of its own (as deployed: server GC, its
/// appsettings.json logging); keys, the list and one published version are made through the real API (admin publish).
/// Every path of both servers gets a discarded warm-up run before any measurement. Besides the rates, the server's and
/// nginx's CPU time per request (from /proc) are reported: on a shared machine they vary far less than the rates.
/// </summary>
public sealed partial class PollBenchmark : IBenchmark
{
    public string Name => "poll";

    public string Description => "GET /lists/{list}/updates (304 and 200) vs nginx serving the manifest file, with wrk; goal 304 >= 0.5 of nginx";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var seconds = Math.Max(3, (int)Math.Round(10 * context.Scale));
        await using var azurite = await Azurite.StartAsync(cancellationToken);
        var adminKey = ApiKey.Generate();
        await using var service = await ServerProcess.StartAsync(azurite.ConnectionString, Bootstrapper.AdminKeySetting(adminKey), cancellationToken);

        using var admin = service.Client(adminKey.Value);
        using var hotline = service.Client(await LocalService.IssueKeyAsync(admin, "hotline", "bench-hotline", null, cancellationToken));
        var ispKey = await LocalService.IssueKeyAsync(admin, "isp", "bench-isp", ["eu"], cancellationToken);
        using var isp = service.Client(ispKey);
        await LocalService.SubmitAsync(hotline, Enumerable.Range(0, 100).Select(i => $"http://poll{i}.example/page/{i}.html"), cancellationToken);
        await LocalService.PublishAsync(admin, cancellationToken);

        var manifestBytes = await isp.GetByteArrayAsync("/api/v1/lists/eu/manifest", cancellationToken);
        using var current = await isp.GetAsync("/api/v1/lists/eu/updates?since=1", cancellationToken);
        var etag = current.Headers.ETag?.ToString() ?? throw new InvalidOperationException("the updates route sent no ETag");
        var pollPath = "/api/v1/lists/eu/updates?since=1";
        var fullPath = "/api/v1/lists/eu/updates?since=0";
        await ExpectStatusAsync(isp, pollPath, etag, HttpStatusCode.NotModified, cancellationToken);
        await ExpectStatusAsync(isp, fullPath, null, HttpStatusCode.OK, cancellationToken);

        var folder = Directory.CreateTempSubdirectory("bench-nginx-");
        // nginx's workers drop privileges when started as root: they must be able to read the folder
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder.FullName, (UnixFileMode)0b111_101_101);
        }
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(folder.FullName, "manifest.json"), manifestBytes, cancellationToken);
            var nginxPort = LocalService.FreePort();
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "nginx.conf"), NginxConfig(folder.FullName, nginxPort), cancellationToken);
            using var nginx = Process.Start(new ProcessStartInfo("nginx", ["-p", folder.FullName, "-c", Path.Combine(folder.FullName, "nginx.conf")])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            }) ?? throw new InvalidOperationException("could not start nginx");
            try
            {
                var nginxUrl = $"http://127.0.0.1:{nginxPort}/manifest.json";
                var nginxEtag = await WaitForNginxAsync(nginxUrl, cancellationToken);
                using var plain = new HttpClient();
                await ExpectStatusAsync(plain, nginxUrl, nginxEtag, HttpStatusCode.NotModified, cancellationToken);

                var auth = $"Authorization: Bearer {ispKey}";
                var serverCpu = () => CpuTime.OfProcesses(service.ProcessId);
                var nginxCpu = () => CpuTime.OfProcesses(nginx.Id);
                (string Url, string[] Headers)[] runs =
                [
                    (new Uri(service.Address, pollPath).ToString(), [auth, $"If-None-Match: {etag}"]),
                    (nginxUrl, [$"If-None-Match: {nginxEtag}"]),
                    (new Uri(service.Address, fullPath).ToString(), [auth]),
                    (nginxUrl, []),
                ];

                // warm-up runs, discarded: every path once before any measurement, so the server's JIT has reached its
                // optimized tier on both routes (the steady state of a long-running instance); nginx is treated alike
                foreach (var (url, headers) in runs)
                {
                    await WrkAsync(url, WarmUpSeconds, headers, cancellationToken);
                }

                context.Output.WriteLine($"  load average before: {BenchSeeding.LoadAverage()}");
                var service304 = await MeasureAsync(runs[0].Url, seconds, runs[0].Headers, serverCpu, cancellationToken);
                var nginx304 = await MeasureAsync(runs[1].Url, seconds, runs[1].Headers, nginxCpu, cancellationToken);
                var service200 = await MeasureAsync(runs[2].Url, seconds, runs[2].Headers, serverCpu, cancellationToken);
                var nginx200 = await MeasureAsync(runs[3].Url, seconds, runs[3].Headers, nginxCpu, cancellationToken);
                context.Output.WriteLine($"  load average after: {BenchSeeding.LoadAverage()}");

                context.Report($"updates 304 (If-None-Match, {seconds} s, wrk -t2 -c32)", service304.Rate, "req/s");
                context.Report("nginx 304, same manifest file (same run)", nginx304.Rate, "req/s");
                context.Report("updates 200 (since=0: steps from nothing)", service200.Rate, "req/s");
                context.Report($"nginx 200, manifest file ({manifestBytes.Length} bytes)", nginx200.Rate, "req/s");
                if (service304.CpuPerRequest > 0)
                {
                    context.Report("server CPU per 304 (user+system)", service304.CpuPerRequest, "µs");
                    context.Report("nginx CPU per 304 (all workers)", nginx304.CpuPerRequest, "µs");
                    context.Report("server CPU per 200", service200.CpuPerRequest, "µs");
                    context.Report("nginx CPU per 200", nginx200.CpuPerRequest, "µs");
                }

                context.Report("200 path: updates / nginx (no goal set)", 100 * service200.Rate / nginx200.Rate, "%");
                context.Ratio("304 path: updates / nginx", service304.Rate / nginx304.Rate, 0.5);
            }
            finally
            {
                nginx.Kill();
                await nginx.WaitForExitAsync(CancellationToken.None);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The server as deployed: the Functions project's own executable (its Program.cs, appsettings.json logging and
    /// runtime settings, server GC) in a process of its own on 127.0.0.1, so it shares neither GC nor JIT with this
    /// driver. Configured like <see cref="LocalService"/>: list eu, a PEM signing key, no scheduler, rate limits far above
    /// the load, and a bootstrap admin key.
    /// </summary>
    private sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _keyFile;
        private readonly Queue<string> _lastLines = new();

        private ServerProcess(Process process, Uri address, string keyFile)
        {
            _process = process;
            Address = address;
            _keyFile = keyFile;
        }

        public Uri Address { get; }

        public int ProcessId => _process.Id;

        public static async Task<ServerProcess> StartAsync(string connectionString, string adminKeySetting, CancellationToken cancellationToken)
        {
            var keyFile = Path.Combine(Path.GetTempPath(), Azurite.UniqueName("bench-key") + ".pem");
            using (var signer = PemArtifactSigner.Generate())
            {
                await File.WriteAllTextAsync(keyFile, signer.ToPkcs8Pem(), cancellationToken);
            }

            var port = LocalService.FreePort();
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "BlocklistService.Functions.dll"), "--urls", $"http://127.0.0.1:{port}"])
            {
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment.Remove(BlocklistService.Functions.Hosting.FunctionsHostOptions.PortKey);
            foreach (var (name, value) in new Dictionary<string, string>
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Storage__ConnectionString"] = connectionString,
                ["Bootstrap__Lists__0"] = "eu",
                ["Bootstrap__AdminKey"] = adminKeySetting,
                ["RateLimits__PermitsPerWindow"] = "1000000",
                ["RateLimits__Window"] = "00:00:01",
                ["Signing__Provider"] = "pem",
                ["Signing__PemPath"] = keyFile,
                ["Publishing__Interval"] = "00:00:00",
            })
            {
                start.Environment[name] = value;
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server");
            var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}"), keyFile);
            process.OutputDataReceived += (_, line) => server.Keep(line.Data);
            process.ErrorDataReceived += (_, line) => server.Keep(line.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient();
            for (var attempt = 0; ; attempt++)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the server exited ({process.ExitCode}):\n{server.LastLines()}");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(server.Address, "/api/health"), cancellationToken);
                    if (response.IsSuccessStatusCode)
                    {
                        return server;
                    }
                }
                catch (HttpRequestException) when (attempt < 300)
                {
                }

                await Task.Delay(100, cancellationToken);
            }
        }

        /// <summary>A client sending <paramref name="key"/> as its bearer token.</summary>
        public HttpClient Client(string key)
        {
            var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return http;
        }

        private void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lastLines)
            {
                _lastLines.Enqueue(line);
                if (_lastLines.Count > 50)
                {
                    _lastLines.Dequeue();
                }
            }
        }

        private string LastLines()
        {
            lock (_lastLines)
            {
                return string.Join('\n', _lastLines);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            await _process.WaitForExitAsync(CancellationToken.None);
            _process.Dispose();
            File.Delete(_keyFile);
        }
    }

    private static string NginxConfig(string prefix, int port) => $$"""
        daemon off;
        worker_processes auto;
        pid {{prefix}}/nginx.pid;
        error_log {{prefix}}/error.log error;
        events { worker_connections 1024; }
        http {
            access_log off;
            client_body_temp_path {{prefix}}/tmp-body;
            proxy_temp_path {{prefix}}/tmp-proxy;
            fastcgi_temp_path {{prefix}}/tmp-fastcgi;
            uwsgi_temp_path {{prefix}}/tmp-uwsgi;
            scgi_temp_path {{prefix}}/tmp-scgi;
            server {
                listen 127.0.0.1:{{port}};
                root {{prefix}};
                etag on;
                location = /manifest.json {
                    default_type application/json;
                    add_header Cache-Control no-cache;
                }
            }
        }
        """;

    private static async Task<string> WaitForNginxAsync(string url, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                response.EnsureSuccessStatusCode();
                return response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("nginx sent no ETag");
            }
            catch (HttpRequestException) when (attempt < 50)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static async Task ExpectStatusAsync(HttpClient http, string url, string? ifNoneMatch, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}, expected {(int)expected}");
        }
    }

    /// <summary>One measured wrk run, with the CPU time <paramref name="cpu"/> reports spent per request during it.</summary>
    private static async Task<(double Rate, double CpuPerRequest)> MeasureAsync(
        string url, int seconds, IReadOnlyList<string> headers, Func<TimeSpan?> cpu, CancellationToken cancellationToken)
    {
        var before = cpu();
        var (rate, requests) = await WrkAsync(url, seconds, headers, cancellationToken);
        var after = cpu();
        return (rate, before is { } b && after is { } a && requests > 0 ? (a - b).TotalMicroseconds / requests : 0);
    }

    private const int WarmUpSeconds = 10;

    /// <summary>Runs wrk (2 threads, 32 connections) and returns its requests/s and count; refuses runs with errors or non-2xx/3xx answers.</summary>
    private static async Task<(double Rate, long Requests)> WrkAsync(string url, int seconds, IReadOnlyList<string> headers, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "-t2", "-c32", $"-d{seconds}s", "--latency" };
        foreach (var header in headers)
        {
            arguments.Add("-H");
            arguments.Add(header);
        }

        arguments.Add(url);
        using var wrk = Process.Start(new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("could not start wrk");
        var output = await wrk.StandardOutput.ReadToEndAsync(cancellationToken);
        await wrk.WaitForExitAsync(cancellationToken);
        var rate = RequestsPerSecond().Match(output);
        var requests = RequestCount().Match(output);
        if (wrk.ExitCode != 0 || !rate.Success || !requests.Success)
        {
            throw new InvalidOperationException($"wrk failed ({wrk.ExitCode}): {output} {await wrk.StandardError.ReadToEndAsync(cancellationToken)}");
        }

        if (output.Contains("Non-2xx or 3xx responses", StringComparison.Ordinal) || output.Contains("Socket errors", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"wrk saw failed requests against {url}:\n{output}");
        }

        return (double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"([0-9]+) requests in ")]
    private static partial Regex RequestCount();

    /// <summary>User + system CPU time of a process and its direct children, from <c>/proc</c> (null where there is none).</summary>
    private static class CpuTime
    {
        private const double TicksPerSecond = 100; // USER_HZ on Linux

        public static TimeSpan? OfProcesses(int root)
        {
            if (!Directory.Exists("/proc"))
            {
                return null;
            }

            var total = 0L;
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(folder), out var pid))
                {
                    continue;
                }

                try
                {
                    // fields after the ")" that ends the command name: state ppid ... utime(14) stime(15)
                    var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (pid == root || fields[1] == root.ToString(CultureInfo.InvariantCulture))
                    {
                        total += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                    }
                }
                catch (IOException)
                {
                    // the process ended meanwhile
                }
            }

            return TimeSpan.FromSeconds(total / TicksPerSecond);
        }
    }
}
