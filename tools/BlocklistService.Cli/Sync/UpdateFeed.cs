using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BlocklistService.Cli.Service;
using BlocklistService.Domain;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Publishing;
using BlocklistService.Domain.Urls;

namespace BlocklistService.Cli.Sync;

/// <summary>
/// Where to fetch one step on the way to the current version: a snapshot or a delta at <see cref="Path"/>, and the
/// manifest of its version at <see cref="ManifestPath"/>.
/// </summary>
public sealed record FetchStep(bool IsSnapshot, long Version, string Path, string ManifestPath)
{
    /// <summary>The step as the acceptance rules see it.</summary>
    public UpdateStep Step => new(IsSnapshot ? UpdatePath.Snapshot : UpdatePath.Delta, Version);
}

/// <summary>What <c>GET /api/v1/lists/{list}/updates?since=N</c> answered.</summary>
public abstract record PollAnswer
{
    /// <summary>200: the current version, the steps to it (none when nothing changed), its manifest's path, the wait.</summary>
    public sealed record Changes(long Version, TimeSpan MinimumWait, string ManifestPath, IReadOnlyList<FetchStep> Steps, string? ETag) : PollAnswer;

    /// <summary>304: nothing changed since the ETag.</summary>
    public sealed record NotModified(TimeSpan? MinimumWait) : PollAnswer;

    /// <summary>429 or 503: come back after <see cref="Wait"/> (Retry-After, or a default).</summary>
    public sealed record RetryLater(TimeSpan Wait, string Reason) : PollAnswer;
}

/// <summary>
/// The ISP side of the HTTP API: the updates poll (with <c>If-None-Match</c>) and artifact downloads under
/// <c>/api/v1/lists/{list}/artifacts/{path}</c>. Nothing here is trusted: the steps only say what to fetch, and every
/// byte fetched is checked against signed manifests by <see cref="ListSynchronizer"/>.
/// </summary>
/// <remarks>The hashed feed is the same conversation under <c>/api/v1/lists/{list}/hashed/</c>.</remarks>
public sealed class UpdateFeed(ServiceClient service, TimeProvider time, ListFeed feed = ListFeed.Plain)
{
    public static readonly TimeSpan DefaultMinimumWait = TimeSpan.FromSeconds(60);

    public ServiceClient Service { get; } = service;

    /// <summary>Which feed of the list this client polls and downloads.</summary>
    public ListFeed Feed { get; } = feed;

    /// <summary><c>api/v1/lists/{list}/</c>, or <c>api/v1/lists/{list}/hashed/</c> for the hashed feed.</summary>
    private string Route(ListName list) => Feed == ListFeed.Hashed ? $"api/v1/lists/{list.Value}/{ArtifactPaths.HashedFolder}/" : $"api/v1/lists/{list.Value}/";

    /// <summary>
    /// Polls for what follows version <paramref name="since"/> (the version applied here, also reported in
    /// <c>X-Blocklist-Applied-Version</c>); with <paramref name="wait"/> the service holds the poll until a newer version
    /// exists or the wait ends (then 304).
    /// </summary>
    public async Task<PollAnswer> PollAsync(ListName list, long since, string? etag, CancellationToken cancellationToken, TimeSpan? wait = null)
    {
        var query = wait is { } w ? string.Create(CultureInfo.InvariantCulture, $"&wait={(int)w.TotalSeconds}") : string.Empty;
        var request = new HttpRequestMessage(HttpMethod.Get, Service.Resolve(string.Create(CultureInfo.InvariantCulture, $"{Route(list)}updates?since={since}{query}")));
        request.Headers.TryAddWithoutValidation("X-Blocklist-Applied-Version", since.ToString(CultureInfo.InvariantCulture));
        if (etag is not null && EntityTagHeaderValue.TryParse(etag, out var tag))
        {
            request.Headers.IfNoneMatch.Add(tag);
        }

        using var response = await Service.SendAsync(request, cancellationToken);
        var minimumWait = ReadWait(response);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            return new PollAnswer.NotModified(minimumWait);
        }

        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
        {
            var retryIn = RetryAfter(response) ?? minimumWait ?? DefaultMinimumWait;
            return new PollAnswer.RetryLater(retryIn, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceClient.FailureAsync(response, $"Polling list '{list}' for updates", cancellationToken);
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return Parse(body, response.Headers.ETag?.ToString(), minimumWait);
    }

    /// <summary>
    /// Downloads <c>lists/{list}/{relative}</c>, reading at most <paramref name="maxBytes"/> (a larger answer is refused,
    /// never buffered); <paramref name="progress"/> gets the bytes read so far.
    /// </summary>
    public async Task<byte[]> DownloadAsync(ListName list, string relative, long maxBytes, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Service.Resolve($"{Route(list)}artifacts/{relative}"));
        HttpResponseMessage started;
        try
        {
            started = await Service.SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (CliException e) when (e.Code == "unreachable")
        {
            throw Refusal.Of("download", $"the download of {relative} broke off: {e.Message}");
        }

        using var response = started;
        if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
        {
            throw new CliException("server-busy", $"Downloading {relative} was refused for now: HTTP {(int)response.StatusCode}.", "Sync retries later.");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceClient.FailureAsync(response, $"Downloading {relative}", cancellationToken);
        }

        if (response.Content.Headers.ContentLength is { } announced && announced > maxBytes)
        {
            throw Refusal.Of("size", $"{relative} is {announced} bytes, more than the {maxBytes} its manifest allows");
        }

        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream(response.Content.Headers.ContentLength is { } length ? (int)Math.Min(length, maxBytes) : 1 << 16);
            var chunk = new byte[1 << 16];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw Refusal.Of("size", $"{relative} is larger than the {maxBytes} bytes its manifest allows");
                }

                buffer.Write(chunk, 0, read);
                progress?.Report(buffer.Length);
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw Refusal.Of("download", $"the download of {relative} broke off: {e.Message}");
        }
    }

    /// <summary>
    /// Reads an updates answer (docs/protocol.md §7.1): <c>currentVersion</c>, <c>minimumWaitSeconds</c>,
    /// <c>manifest.path</c> (null or absent before the first version) and <c>steps[]</c>. A step's kind and version are
    /// taken from its <c>path</c> (<c>v/{n}/snapshot.json.gz</c> or <c>v/{n}/delta.json.gz</c>), and its <c>kind</c> and
    /// <c>version</c>, when present, must agree with it; the manifest of step n is <c>v/{n}/manifest.json</c>. Unknown
    /// properties are ignored. Nothing here is trusted beyond naming what to fetch.
    /// </summary>
    public static PollAnswer.Changes Parse(ReadOnlySpan<byte> body, string? etag, TimeSpan? headerWait)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("the body is not a JSON object");
            }

            var wait = headerWait ?? DefaultMinimumWait;
            if (root.TryGetProperty("minimumWaitSeconds", out var waitElement))
            {
                wait = waitElement.ValueKind == JsonValueKind.Number && waitElement.TryGetInt32(out var seconds) && seconds >= 0 ? TimeSpan.FromSeconds(seconds) : throw Malformed("minimumWaitSeconds is not a non-negative integer");
            }

            if (!root.TryGetProperty("currentVersion", out var versionElement) || versionElement.ValueKind != JsonValueKind.Number || !versionElement.TryGetInt64(out var version) || version < 0)
            {
                throw Malformed("currentVersion must be a version number (a whole number ≥ 0)");
            }

            var manifestPath = ArtifactPaths.ManifestFile;
            if (root.TryGetProperty("manifest", out var manifestElement) && manifestElement.ValueKind != JsonValueKind.Null)
            {
                manifestPath = manifestElement.ValueKind == JsonValueKind.Object && manifestElement.TryGetProperty("path", out var pathElement) && pathElement.ValueKind == JsonValueKind.String
                    ? pathElement.GetString()!
                    : throw Malformed("manifest must be null or an object with a path");
                if (manifestPath != ArtifactPaths.ManifestFile && manifestPath != ArtifactPaths.RelativeManifest(version))
                {
                    throw Malformed($"manifest.path must be {ArtifactPaths.RelativeManifest(version)} (the manifest of currentVersion) or {ArtifactPaths.ManifestFile}");
                }
            }

            var steps = new List<FetchStep>();
            if (root.TryGetProperty("steps", out var stepsElement) && stepsElement.ValueKind != JsonValueKind.Null)
            {
                if (stepsElement.ValueKind != JsonValueKind.Array)
                {
                    throw Malformed("steps must be an array");
                }

                var index = 0;
                foreach (var step in stepsElement.EnumerateArray())
                {
                    var path = step.ValueKind == JsonValueKind.Object && step.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                    if (path is null || !ArtifactPaths.TryParseRelative(path, out var stepVersion, out var file) || file == ArtifactPaths.ManifestFile)
                    {
                        throw Malformed($"steps[{index}].path must be v/{{n}}/delta.json.gz or v/{{n}}/snapshot.json.gz");
                    }

                    var isSnapshot = file == ArtifactPaths.SnapshotFile;
                    if (step.TryGetProperty("kind", out var kind) && kind.ValueKind != JsonValueKind.Null && kind.ValueKind != JsonValueKind.String)
                    {
                        throw Malformed($"steps[{index}].kind must be \"snapshot\" or \"delta\"");
                    }

                    if ((kind.ValueKind == JsonValueKind.String && kind.GetString() != (isSnapshot ? "snapshot" : "delta")) ||
                        (step.TryGetProperty("version", out var stated) && (stated.ValueKind != JsonValueKind.Number || !stated.TryGetInt64(out var statedVersion) || statedVersion != stepVersion)))
                    {
                        throw Malformed($"steps[{index}] states a kind or version other than its path {path}");
                    }

                    steps.Add(new FetchStep(isSnapshot, stepVersion, path, ArtifactPaths.RelativeManifest(stepVersion)));
                    index++;
                }
            }

            return new PollAnswer.Changes(version, wait, manifestPath, steps, etag);
        }
        catch (JsonException e)
        {
            throw Malformed("the body is not JSON: " + e.Message);
        }
    }

    private static CliException Malformed(string problem) =>
        new("updates-malformed", $"The updates answer cannot be used: {problem}.", "The service or a proxy in between answered something unexpected; sync keeps the last good state and retries later.");

    private static TimeSpan? ReadWait(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Minimum-Wait-Seconds", out var values) && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    /// <summary>Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3).</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } retry)
        {
            return null;
        }

        if (retry.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        return retry.Date is { } date ? (date - time.GetUtcNow()) is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero : null;
    }
}

/// <summary>Refusals of what the service sent: the last good state stays, and the message says which rule failed.</summary>
public static class Refusal
{
    /// <summary>A refusal with code <c>refused-{rule}</c>.</summary>
    public static CliException Of(string rule, string problem) =>
        new($"refused-{rule}", $"Update refused: {problem}.", "The last good state and the exports were kept as they were. If it persists, tell the service's operator; sync retries later.");

    /// <summary>Throws the refusal when an acceptance rule (<see cref="Domain.Acceptance.VersionAcceptance"/>) failed.</summary>
    public static void ThrowIf(Rejection? rejection)
    {
        if (rejection is not null)
        {
            throw Of(rejection.Code, rejection.Message);
        }
    }
}
