using System.Diagnostics;
using BlocklistService.Domain.Urls;

namespace BlocklistService.Bench;

/// <summary>
/// Safe Browsing canonicalization throughput on one thread over a mixed, realistic URL set, against
/// <c>new Uri(url).AbsoluteUri</c> (which does far less: no repeated unescaping, no IPv4 forms, no path folding)
/// on the same inputs in the same run.
/// </summary>
public sealed class CanonicalizeBenchmark : IBenchmark
{
    private const double GoalPerSecond = 500_000;

    public string Name => "canonicalize";

    public string Description => "Safe Browsing URL canonicalization, URLs/s on one thread, vs new Uri(url).AbsoluteUri";

    public Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var urls = MixedUrls(10_000);
        var total = context.Scaled(2_000_000);
        context.Report("distinct input URLs", urls.Length, "urls");

        // Warm up both paths (tiered JIT) before measuring.
        Run(urls, 200_000, canonical: true);
        Run(urls, 200_000, canonical: false);

        var canonicalRate = Run(urls, total, canonical: true);
        cancellationToken.ThrowIfCancellationRequested();
        var baselineRate = Run(urls, total, canonical: false);

        context.Report("CanonicalUrl.Parse", canonicalRate, "urls/s");
        context.Report("baseline new Uri(url).AbsoluteUri", baselineRate, "urls/s");
        context.Report("ratio canonicalize / baseline", canonicalRate / baselineRate, "x");
        context.Ratio("canonicalize urls/s vs goal", canonicalRate, GoalPerSecond);
        return Task.CompletedTask;
    }

    private static double Run(string[] urls, int count, bool canonical)
    {
        var checksum = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var url = urls[i % urls.Length];
            checksum += canonical
                ? CanonicalUrl.Parse(url).TryGetValue(out var value) ? value.Value.Length : 0
                : new Uri(url).AbsoluteUri.Length;
        }

        watch.Stop();
        GC.KeepAlive(checksum);
        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>A fixed-seed mix: plain pages, queries, escapes, dot segments, IPs, IDN, ports, fragments.</summary>
    private static string[] MixedUrls(int count)
    {
        var random = new Random(20261122);
        string[] hosts = ["www.example.com", "cdn.images.example.net", "Shop.Example.ORG", "a.b.c.d.example.co.uk", "195.127.0.11", "m.example.de", "www.b\u00fccher.example", "login.example.com."];
        string[] paths = ["/", "/index.html", "/a/b/c/d.jpg", "/gallery/2024/07/", "/search", "/x/../y/./z.php", "/%7Euser/pic%20one.png", "//double//slash/", "/caf%C3%A9/menu", "/path%252Fencoded"];
        string[] queries = ["", "", "", "?q=hello+world", "?id=12345&ref=abc", "?utm_source=x&utm_medium=y&utm_campaign=z", "?a=%2F%3F"];
        string[] fragments = ["", "", "#top", "#section-2"];
        string[] schemes = ["http://", "https://", "https://", "HTTP://"];
        string[] ports = ["", "", "", ":8080"];
        var urls = new string[count];
        for (var i = 0; i < count; i++)
        {
            urls[i] = string.Concat(
                schemes[random.Next(schemes.Length)],
                hosts[random.Next(hosts.Length)],
                ports[random.Next(ports.Length)],
                paths[random.Next(paths.Length)],
                queries[random.Next(queries.Length)],
                fragments[random.Next(fragments.Length)]);
        }

        return urls;
    }
}
