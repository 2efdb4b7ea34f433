using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Hosting;
using BlocklistService.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BlocklistService.Bench;

/// <summary>
/// The deployed handler's cold start as the Functions host sees it: the self-contained executable from the
/// deployment zip (<c>tools/package</c>), started with <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>, timed from launch to the
/// first 200 on <c>GET /</c> (the host's readiness probe), while storage is unreachable and while it answers every
/// request with 403 after 5 s (role assignments not yet propagated). Each start is also checked to refuse a request
/// that needs storage with 503 + Retry-After. Baseline: the same executable running its <c>new-admin-key</c> verb,
/// which starts the runtime and exits without building the web host.
/// </summary>
public sealed class ColdStartBenchmark : IBenchmark
{
    private static readonly TimeSpan Goal = TimeSpan.FromSeconds(2);

    public string Name => "cold-start";

    public string Description =>
        "packaged handler: launch -> first 200 on GET / with storage unreachable and answering 403 (goal <= 2 s), vs the same executable's new-admin-key run";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var runs = context.Scaled(10);
        var directory = Path.Combine(Path.GetTempPath(), "blocklist-cold-start-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        try
        {
            context.Output.WriteLine("  packaging the handler (tools/package)...");
            var packaged = await ProcessRunner.RunAsync(Path.Combine(context.RepositoryRoot, "tools", "package"), ["--output", directory],
                timeout: TimeSpan.FromMinutes(10), cancellationToken: cancellationToken);
            if (packaged.ExitCode != 0)
            {
                throw new InvalidOperationException($"tools/package failed: {packaged}");
            }

            var unpacked = Path.Combine(directory, "zip");
            ZipFile.ExtractToDirectory(Path.Combine(directory, "blocklist-functions.zip"), unpacked);
            var executable = Path.Combine(unpacked, "handler", "BlocklistService.Functions");
            var keyFile = Path.Combine(directory, "signing-key.pem");
            using (var signer = PemArtifactSigner.Generate())
            {
                await File.WriteAllTextAsync(keyFile, signer.ToPkcs8Pem(), cancellationToken);
            }

            await using var refusing = await RefusingStorage.StartAsync(cancellationToken);
            var unreachable = new Uri($"http://127.0.0.1:{LocalService.FreePort()}/");
            var baseline = new List<double>();
            var closed = new List<double>();
            var forbidden = new List<double>();
            // Interleaved so that a change in the machine's load falls on every series alike.
            for (var run = 0; run < runs; run++)
            {
                baseline.Add(await RuntimeOnlyAsync(executable, cancellationToken));
                closed.Add(await FirstAnswerAsync(executable, unreachable, keyFile, cancellationToken));
                forbidden.Add(await FirstAnswerAsync(executable, refusing.Endpoint, keyFile, cancellationToken));
            }

            context.Report("runtime only (new-admin-key), p50", Median(baseline), "ms");
            context.Report("storage unreachable: GET / p50", Median(closed), "ms");
            context.Report("storage unreachable: GET / max", closed.Max(), "ms");
            context.Report("storage answers 403: GET / p50", Median(forbidden), "ms");
            context.Report("storage answers 403: GET / max", forbidden.Max(), "ms");
            context.Report("storage requests refused with 403 during the runs", refusing.Requests, "requests");
            context.Output.WriteLine($"  load average at the end: {BenchSeeding.LoadAverage()}");
            // What the web host, the service's composition and its background start-up add to the runtime's own start.
            context.Report("GET / p50 over the runtime-only start", Median(closed.Concat(forbidden).ToList()) / Median(baseline), "x");
            context.Ratio("slowest GET / in seconds", Math.Max(closed.Max(), forbidden.Max()) / 1000, Goal.TotalSeconds, higherIsBetter: false);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<double> RuntimeOnlyAsync(string executable, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var result = await ProcessRunner.RunAsync(executable, ["new-admin-key"], cancellationToken: cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"new-admin-key failed: {result}");
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>Launch to the first 200 on <c>GET /</c>; then a storage route must be 503 with Retry-After.</summary>
    private static async Task<double> FirstAnswerAsync(string executable, Uri storage, string keyFile, CancellationToken cancellationToken)
    {
        var port = LocalService.FreePort();
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(executable)!,
        };
        info.Environment[FunctionsHostOptions.PortKey] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Storage__ConnectionString"] =
            Azurite.BuildConnectionString(new Uri(storage, Azurite.AccountName), new Uri(storage, Azurite.AccountName));
        info.Environment["Signing__Provider"] = "pem";
        info.Environment["Signing__PemPath"] = keyFile;
        info.Environment["Bootstrap__Lists__0"] = "eu";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            double elapsed;
            while (true)
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the handler exited with {process.ExitCode} before answering GET /");
                }

                try
                {
                    using var probe = await http.GetAsync("/", cancellationToken);
                    if (probe.StatusCode == HttpStatusCode.OK)
                    {
                        elapsed = clock.Elapsed.TotalMilliseconds;
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                if (clock.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new TimeoutException("the handler did not answer GET / within 60 s");
                }

                await Task.Delay(10, cancellationToken);
            }

            using var needsStorage = await http.GetAsync("/api/v1/keys", cancellationToken);
            if (needsStorage.StatusCode != HttpStatusCode.ServiceUnavailable || needsStorage.Headers.RetryAfter is null)
            {
                throw new InvalidOperationException($"GET /api/v1/keys without storage answered {(int)needsStorage.StatusCode}, not 503 with Retry-After");
            }

            return elapsed;
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(cancellationToken);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Storage whose every answer is 403 after 5 s, as before the data-plane roles have propagated.</summary>
    private sealed class RefusingStorage(WebApplication app, Uri endpoint, Func<int> requests) : IAsyncDisposable
    {
        public Uri Endpoint => endpoint;

        public int Requests => requests();

        public static async Task<RefusingStorage> StartAsync(CancellationToken cancellationToken)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var count = 0;
            app.Run(async context =>
            {
                Interlocked.Increment(ref count);
                await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.Headers["x-ms-error-code"] = "AuthorizationPermissionMismatch";
            });
            await app.StartAsync(cancellationToken);
            return new RefusingStorage(app, new Uri(app.Urls.Single() + "/"), () => Volatile.Read(ref count));
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
