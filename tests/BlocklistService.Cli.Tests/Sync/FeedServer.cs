using System.Globalization;
using BlocklistService.Domain.Lists;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BlocklistService.Cli.Tests.Sync;

/// <summary>
/// A real HTTP server (Kestrel on 127.0.0.1, a free port) serving a <see cref="TestFeed"/> under the service's ISP
/// routes: <c>GET /api/v1/lists/{list}/updates?since=N</c> (the answer of docs/protocol.md §7.1, ETag / 304) and
/// <c>/artifacts/{path}</c>. <see cref="Intercept"/> lets a test answer a request differently (faults).
/// </summary>
internal sealed class FeedServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FeedServer(WebApplication app, TestFeed feed)
    {
        _app = app;
        Feed = feed;
    }

    public TestFeed Feed { get; }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Runs before the routes; returns true when it answered the request itself.</summary>
    public Func<HttpContext, Task<bool>>? Intercept { get; set; }

    public int NotModifiedCount { get; private set; }

    public int UpdatesCount { get; private set; }

    public static async Task<FeedServer> StartAsync(TestFeed feed)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FeedServer(app, feed);
        app.Use(async (context, next) =>
        {
            if (server.Intercept is { } intercept && await intercept(context))
            {
                return;
            }

            await next(context);
        });
        app.MapGet("/api/v1/lists/{list}/updates", (HttpContext context, string list, long since) => server.UpdatesAsync(context, list, since));
        app.MapGet("/api/v1/lists/{list}/artifacts/{**path}", async (HttpContext context, string list, string path) =>
        {
            if (!feed.Files.TryGetValue($"lists/{list}/{path}", out var bytes))
            {
                context.Response.StatusCode = 404;
                return;
            }

            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address);
        return server;
    }

    private async Task UpdatesAsync(HttpContext context, string list, long since)
    {
        UpdatesCount++;
        var current = Feed.Version;
        var etag = $"\"v{current}-since{since}\"";
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            NotModifiedCount++;
            context.Response.StatusCode = 304;
            return;
        }

        var steps = new List<object>();
        var from = since;
        if (since < current && (since == 0 || since < Feed.SnapshotVersion - 10) && Feed.SnapshotVersion > 0)
        {
            steps.Add(Step("snapshot", Feed.SnapshotVersion, ArtifactPaths.RelativeSnapshot(Feed.SnapshotVersion)));
            from = Feed.SnapshotVersion;
        }

        for (var v = from + 1; v <= current; v++)
        {
            steps.Add(Step("delta", v, ArtifactPaths.RelativeDelta(v)));
        }

        // the updates answer of docs/protocol.md §7.1; the current manifest is named by its mutable path here, which
        // lets tests swap what it holds (the service names the immutable v/{n}/manifest.json with the same bytes)
        var prefix = $"/api/v1/lists/{list}/artifacts/";
        await context.Response.WriteAsJsonAsync(new
        {
            list,
            since,
            currentVersion = current,
            upToDate = since == current,
            manifest = current == 0 ? null : new
            {
                version = current,
                path = ArtifactPaths.ManifestFile,
                url = prefix + ArtifactPaths.ManifestFile,
                signatureUrl = prefix + ArtifactPaths.Signature(ArtifactPaths.ManifestFile),
                sha256 = Sha256(Feed[ArtifactPaths.ManifestFile]),
            },
            steps,
            minimumWaitSeconds = Feed.MinimumWaitSeconds,
        });
    }

    private object Step(string kind, long version, string path) => new
    {
        kind,
        version,
        path,
        url = $"/api/v1/lists/{Feed.List.Value}/artifacts/{path}",
        signatureUrl = $"/api/v1/lists/{Feed.List.Value}/artifacts/{ArtifactPaths.Signature(path)}",
        sha256 = Sha256(Feed[path]),
        size = Feed[path].Length,
    };

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
