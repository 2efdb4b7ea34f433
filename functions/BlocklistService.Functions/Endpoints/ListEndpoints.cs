using System.Globalization;
using System.Security.Claims;
using BlocklistService.Domain.Lists;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using BlocklistService.Functions.Telemetry;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// What ISPs poll and fetch: <c>GET /api/v1/lists/{list}/updates?since=N</c> (the steps to the current version, strong
/// ETag, 304 on If-None-Match; with <c>wait=S</c> an up-to-date client is answered when a newer version exists or after
/// S ≤ 60 seconds), the current manifest and the signed files with their signatures. The signing keys are
/// served by <see cref="KeyEndpoints"/>.
/// </summary>
public static class ListEndpoints
{
    public const string ImmutableCache = "public, max-age=31536000, immutable";
    public const string NoCache = "no-cache";

    /// <summary>
    /// The least seconds a client waits before polling again, as a header on every updates answer: a 304 has no body to
    /// carry <c>minimumWaitSeconds</c>, and without it a client falls back to its own default.
    /// </summary>
    public const string MinimumWaitHeader = "Minimum-Wait-Seconds";

    private static readonly IResult NotModified = TypedResults.StatusCode(StatusCodes.Status304NotModified);

    /// <summary>The body of <c>GET /api/v1/lists/{list}/updates</c>.</summary>
    public sealed record UpdatesResponse(string List, long Since, long CurrentVersion, bool UpToDate, ManifestLocation? Manifest, IReadOnlyList<UpdateStepResponse> Steps, int MinimumWaitSeconds);

    /// <summary>The current version's (immutable) manifest: path relative to the list, URLs of it and its signature, SHA-256.</summary>
    public sealed record ManifestLocation(long Version, string Path, string Url, string SignatureUrl, string Sha256);

    /// <summary>One file to fetch and apply, in order.</summary>
    public sealed record UpdateStepResponse(string Kind, long Version, string Path, string Url, string SignatureUrl, string Sha256, long Size);

    /// <summary>
    /// The body of <c>GET /api/v1/lists/{list}/hashed/updates</c>: the same steps as the plain answer, in the hashed
    /// feed's folder. Sizes and hashes are the ones its manifests state (each step's manifest is <c>v/{n}/manifest.json</c>).
    /// </summary>
    public sealed record HashedUpdatesResponse(string List, long Since, long CurrentVersion, bool UpToDate, HashedFileLocation? Manifest, IReadOnlyList<HashedFileLocation> Steps, int MinimumWaitSeconds);

    /// <summary>A file of the hashed feed: what it is, its path relative to <c>lists/{list}/hashed/</c>, its URLs.</summary>
    public sealed record HashedFileLocation(string Kind, long Version, string Path, string Url, string SignatureUrl);

    public static IEndpointRouteBuilder MapListEndpoints(this IEndpointRouteBuilder routes)
    {
        var lists = routes.MapGroup("/api/v1/lists/{list}").WithTags("Lists").RequireAuthorization(Roles.Isp);
        lists.MapGet("/updates", UpdatesAsync).WithName("GetListUpdates")
            .WithSummary("What to fetch to reach the current version: deltas, or a snapshot then deltas");
        lists.MapGet("/manifest", ManifestAsync).WithName("GetListManifest")
            .WithSummary("The current signed manifest (its signature is artifacts/manifest.json.sig)");
        lists.MapGet("/artifacts/{**path}", ArtifactAsync).WithName("GetListArtifact")
            .WithSummary("A signed file of the list (delta, snapshot, manifest) or its .sig");
        lists.MapGet("/hashed/updates", HashedUpdatesAsync).WithName("GetHashedListUpdates")
            .WithSummary("The hashed feed: what to fetch to reach the current version (ids, scopes and categories, no expressions)");
        lists.MapGet("/hashed/manifest", HashedManifestAsync).WithName("GetHashedListManifest")
            .WithSummary("The hashed feed's current signed manifest (its signature is hashed/artifacts/manifest.json.sig)");
        lists.MapGet("/hashed/artifacts/{**path}", HashedArtifactAsync).WithName("GetHashedListArtifact")
            .WithSummary("A signed file of the hashed feed (delta, snapshot, manifest) or its .sig");
        return routes;
    }

    private static async Task<IResult> UpdatesAsync(
        string list, string? since, string? wait, HttpContext context, ListReader reader, IspTracker tracker, HeadNotifier notifier, IOptions<PublishingOptions> options, BlocklistMetrics metrics,
        CancellationToken cancellationToken)
    {
        if (Refuse(list, context.User, ListFeed.Plain) is { } refused)
        {
            return refused;
        }

        long sinceVersion = 0;
        if (since is not null && (!long.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out sinceVersion) || sinceVersion < 0))
        {
            return Problems.Field(400, "invalid-since", "Invalid query", "since", "a version number: a whole number ≥ 0 (0 or absent: no state yet)");
        }

        var waitSeconds = 0;
        if (wait is not null && (!int.TryParse(wait, NumberStyles.None, CultureInfo.InvariantCulture, out waitSeconds) || waitSeconds > HeadNotifier.MaxWaitSeconds))
        {
            return Problems.Field(400, "invalid-wait", "Invalid query", "wait", $"seconds to wait for a newer version: a whole number from 0 to {HeadNotifier.MaxWaitSeconds}");
        }

        var head = await reader.HeadAsync(list, cancellationToken);
        if (head is null)
        {
            return Problems.Create(404, "not-found", "Not found", $"no list named '{list}'");
        }

        // long poll: a client that is up to date waits here (memory, no CPU) until a newer version exists or the wait ends
        if (waitSeconds > 0 && sinceVersion >= head.Version &&
            await notifier.WaitForNewerAsync(list, head.Version, TimeSpan.FromSeconds(waitSeconds), cancellationToken))
        {
            head = await reader.HeadAsync(list, cancellationToken) ?? head;
        }

        // the version the client has applied, when it says so (blocklist sync does); its since otherwise
        var applied = long.TryParse(context.Request.Headers[IspTracker.AppliedVersionHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var reported) && reported <= head.Version
            ? reported
            : sinceVersion;
        tracker.RecordPoll(context.User.KeyId() ?? string.Empty, context.User.Organisation(), list, applied);
        var etag = head.UpdatesETag(sinceVersion);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = NoCache;
        context.Response.Headers[MinimumWaitHeader] = options.Value.MinimumWaitSeconds.ToString(CultureInfo.InvariantCulture);
        var notModified = Matches(context.Request, etag) || (waitSeconds > 0 && sinceVersion >= head.Version);
        metrics.Poll(list, notModified);
        metrics.IspLag(list, head.Version - sinceVersion);
        if (notModified)
        {
            return NotModified;
        }

        var prefix = $"/api/v1/lists/{list}/artifacts/";
        var steps = await reader.StepsAsync(head, sinceVersion, cancellationToken);
        var manifest = head.Version == 0 || head.ManifestSha256 is null
            ? null
            : new ManifestLocation(head.Version, ArtifactPaths.RelativeManifest(head.Version), prefix + ArtifactPaths.RelativeManifest(head.Version),
                prefix + ArtifactPaths.Signature(ArtifactPaths.RelativeManifest(head.Version)), head.ManifestSha256);
        return TypedResults.Ok(new UpdatesResponse(
            list, sinceVersion, head.Version, sinceVersion == head.Version, manifest,
            steps.Select(s => new UpdateStepResponse(s.Kind, s.Version, s.Path, prefix + s.Path, prefix + ArtifactPaths.Signature(s.Path), s.Sha256, s.Size)).ToList(),
            options.Value.MinimumWaitSeconds));
    }

    private static async Task<IResult> HashedUpdatesAsync(
        string list, string? since, HttpContext context, ListReader reader, IspTracker tracker, IOptions<PublishingOptions> options, CancellationToken cancellationToken)
    {
        if (Refuse(list, context.User, ListFeed.Hashed) is { } refused)
        {
            return refused;
        }

        long sinceVersion = 0;
        if (since is not null && (!long.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out sinceVersion) || sinceVersion < 0))
        {
            return Problems.Field(400, "invalid-since", "Invalid query", "since", "a version number: a whole number ≥ 0 (0 or absent: no state yet)");
        }

        var head = await reader.HeadAsync(list, cancellationToken);
        if (head is null)
        {
            return Problems.Create(404, "not-found", "Not found", $"no list named '{list}'");
        }

        tracker.RecordPoll(context.User.KeyId() ?? string.Empty, context.User.Organisation(), list, sinceVersion);
        var etag = head.UpdatesETag(sinceVersion, ListFeed.Hashed);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.CacheControl = NoCache;
        context.Response.Headers[MinimumWaitHeader] = options.Value.MinimumWaitSeconds.ToString(CultureInfo.InvariantCulture);
        if (Matches(context.Request, etag))
        {
            return NotModified;
        }

        // both feeds have their snapshots at the same versions, so the plain feed's update path is the hashed one's too
        var prefix = $"/api/v1/lists/{list}/{ArtifactPaths.HashedFolder}/artifacts/";
        var steps = await reader.StepsAsync(head, sinceVersion, cancellationToken);
        var manifest = head.Version == 0 || head.ManifestSha256 is null
            ? null
            : Location("manifest", head.Version, ArtifactPaths.RelativeManifest(head.Version), prefix);
        return TypedResults.Ok(new HashedUpdatesResponse(
            list, sinceVersion, head.Version, sinceVersion == head.Version, manifest,
            steps.Select(s => Location(s.Kind, s.Version, s.Path, prefix)).ToList(),
            options.Value.MinimumWaitSeconds));
    }

    private static HashedFileLocation Location(string kind, long version, string path, string prefix) =>
        new(kind, version, path, prefix + path, prefix + ArtifactPaths.Signature(path));

    private static Task<IResult> ManifestAsync(string list, HttpContext context, ListReader reader, CancellationToken cancellationToken) =>
        ArtifactAsync(list, ArtifactPaths.ManifestFile, context, reader, cancellationToken);

    private static Task<IResult> ArtifactAsync(string list, string path, HttpContext context, ListReader reader, CancellationToken cancellationToken) =>
        FeedArtifactAsync(list, path, ListFeed.Plain, context, reader, cancellationToken);

    private static Task<IResult> HashedManifestAsync(string list, HttpContext context, ListReader reader, CancellationToken cancellationToken) =>
        FeedArtifactAsync(list, ArtifactPaths.ManifestFile, ListFeed.Hashed, context, reader, cancellationToken);

    private static Task<IResult> HashedArtifactAsync(string list, string path, HttpContext context, ListReader reader, CancellationToken cancellationToken) =>
        FeedArtifactAsync(list, path, ListFeed.Hashed, context, reader, cancellationToken);

    private static async Task<IResult> FeedArtifactAsync(string list, string path, ListFeed feed, HttpContext context, ListReader reader, CancellationToken cancellationToken)
    {
        if (Refuse(list, context.User, feed) is { } refused)
        {
            return refused;
        }

        if (!ListReader.IsServable(path))
        {
            return Problems.Field(404, "not-found", "Not found", "path",
                "one of manifest.json, v/{version}/delta.json.gz, v/{version}/snapshot.json.gz, v/{version}/manifest.json, each optionally with .sig");
        }

        var file = await reader.FileAsync(ListName.Parse(list), path, cancellationToken, feed);
        if (file is null)
        {
            return Problems.Create(404, "not-found", "Not found", $"list '{list}' has no file '{path}'");
        }

        var etag = new EntityTagHeaderValue(file.ETag.StartsWith('"') ? file.ETag : $"\"{file.ETag}\"");
        context.Response.Headers.ETag = etag.ToString();
        context.Response.Headers.CacheControl = ListReader.IsImmutable(path) ? ImmutableCache : NoCache;
        if (Matches(context.Request, etag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var contentType = path.EndsWith(".sig", StringComparison.Ordinal) ? "application/octet-stream"
            : path.EndsWith(".gz", StringComparison.Ordinal) ? "application/gzip"
            : "application/json";
        return TypedResults.Bytes(file.Content, contentType);
    }

    /// <summary>
    /// 404 for a name that is no list; 403 when the ISP key may not read this list, or may not fetch this feed (a key
    /// entitled to the hashed feed never gets a plain artifact).
    /// </summary>
    private static IResult? Refuse(string list, ClaimsPrincipal user, ListFeed feed)
    {
        if (!ListName.TryParse(list, out _))
        {
            return Problems.Field(404, "not-found", "Not found", "list", "list names are [a-z0-9-]{1,32}");
        }

        var mayFetch = user is CallerPrincipal holder
            ? holder.Caller.MayFetch(feed)
            : feed == ListFeed.Hashed || !user.HasClaim(ApiKeyClaims.Feed, ListFeedNames.Hashed);
        if (!mayFetch)
        {
            return Problems.Create(403, "feed-not-allowed", "Forbidden",
                $"this API key is entitled to the hashed feed only: fetch /api/v1/lists/{list}/hashed/updates and the files it names");
        }

        var allowed = user is CallerPrincipal caller
            ? caller.Caller.MayRead(list)
            : user.HasClaim(ApiKeyClaims.List, Stores.ApiKeyRecord.AllLists) || user.HasClaim(ApiKeyClaims.List, list);
        return allowed ? null : Problems.Create(403, "list-not-allowed", "Forbidden", $"this API key may not read list '{list}'");
    }

    /// <summary>True when If-None-Match names <paramref name="etag"/> (weak comparison, as RFC 9110 requires) or is <c>*</c>.</summary>
    private static bool Matches(HttpRequest request, string etag)
    {
        var ifNoneMatch = request.Headers.IfNoneMatch;
        if (ifNoneMatch.Count == 0)
        {
            return false;
        }

        // the usual case, a client sending back the one ETag it was given, without parsing
        if (ifNoneMatch.Count == 1 && string.Equals(ifNoneMatch[0], etag, StringComparison.Ordinal))
        {
            return true;
        }

        return Matches(request, new EntityTagHeaderValue(etag));
    }

    private static bool Matches(HttpRequest request, EntityTagHeaderValue etag) =>
        EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
        && tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false));
}
