using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Publishing;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Publishing;

/// <summary>A list's published head: version, current manifest hash and latest snapshot.</summary>
public sealed record PublishedHead(string List, long Version, string? ManifestSha256, long SnapshotVersion, string? SnapshotSha256, long SnapshotSize)
{
    /// <summary>
    /// The strong ETag of the updates answer for a client at <paramref name="since"/>:
    /// <c>"{list}.{version}.{since}.{first 16 hex of the manifest hash}"</c>, so it changes with the head and the question
    /// (prefixed <c>hashed.</c> for the hashed feed's answer).
    /// </summary>
    public string UpdatesETag(long since, ListFeed feed = ListFeed.Plain)
    {
        var manifest = ManifestSha256 ?? "none";
        var tag = feed == ListFeed.Hashed ? "hashed." : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"\"{tag}{List}.{Version}.{since}.{manifest.AsSpan(0, Math.Min(16, manifest.Length))}\"");
    }
}

/// <summary>One file of an update: what it is, where it is (relative to the list) and what it must hash to.</summary>
public sealed record UpdateFile(string Kind, long Version, string Path, string Sha256, long Size);

/// <summary>
/// What the ISP routes read: list heads (point reads, cached for <see cref="PublishingOptions.HeadCacheTtl"/>), the
/// steps from a client's version to the current one, and the signed files themselves.
/// </summary>
public sealed partial class ListReader(
    IRowStore rows, IBlobStore blobs, PublishStorageNames names, IOptions<PublishingOptions> options, TimeProvider time, StorageOutageSignal outage)
{
    private readonly Dictionary<string, (Task<PublishedHead?> Head, DateTimeOffset At)> _heads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StepAnswers> _steps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PublishedHead> _lastGood = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<StoredBlob?>> _files = new(StringComparer.Ordinal);
    private long _fileBytes;
    private readonly Lock _gate = new();

    /// <summary>Most distinct <c>since</c> values whose steps are kept per list (one head version at a time).</summary>
    public const int StepsCacheSize = 1024;

    /// <summary>
    /// Most bytes of immutable files (everything under <c>v/</c>) kept in memory; when full, the cache starts over. A new
    /// version is fetched by every ISP within a poll interval: without it each fetch is a blob read, and a thousand at
    /// once made storage answer so slowly that downloads failed (the soak suite).
    /// </summary>
    public const long FileCacheBytes = 64L * 1024 * 1024;

    /// <summary>The computed steps of one head version of a list, by <c>since</c>.</summary>
    private sealed record StepAnswers(long Version, long SnapshotVersion)
    {
        public Dictionary<long, Task<IReadOnlyList<UpdateFile>>> BySince { get; } = [];
    }

    /// <summary>
    /// The head of <paramref name="list"/>, or null when no such list exists. Within <see cref="PublishingOptions.HeadCacheTtl"/>
    /// every caller shares one read: concurrent polls that find the cached head expired wait for the same point read
    /// instead of each sending their own.
    /// </summary>
    /// <remarks>
    /// Stale-if-error: when storage fails or has not answered within <see cref="PublishingOptions.StaleIfErrorAfter"/>,
    /// a list whose head this instance read before is answered from that head (same version, same ETag), so ISPs keep
    /// being served through a storage outage; the read goes on, and the next poll after it completes sees the new head.
    /// A list this instance never read has nothing to fall back on, and the storage failure reaches the caller (503).
    /// While this instance's last storage call failed (<see cref="StorageOutageSignal"/>), a head it read before is
    /// answered at once without a read (one read in the background sees storage return).
    /// </remarks>
    public ValueTask<PublishedHead?> HeadAsync(string list, CancellationToken cancellationToken)
    {
        var ttl = options.Value.HeadCacheTtl;
        if (ttl <= TimeSpan.Zero)
        {
            return TryStale(list, out var last)
                ? new ValueTask<PublishedHead?>(last)
                : new ValueTask<PublishedHead?>(OrLastGoodAsync(list, ReadHeadAsync(list, CancellationToken.None), cancellationToken));
        }

        Task<PublishedHead?> read;
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var fresh = _heads.TryGetValue(list, out var cached) && now - cached.At < ttl && !cached.Head.IsFaulted && !cached.Head.IsCanceled;
            if (fresh && cached.Head.IsCompletedSuccessfully)
            {
                return new ValueTask<PublishedHead?>(cached.Head.Result);
            }
        }

        if (TryStale(list, out var stale))
        {
            return new ValueTask<PublishedHead?>(stale);
        }

        lock (_gate)
        {
            if (!_heads.TryGetValue(list, out var cached) || now - cached.At >= ttl || cached.Head.IsFaulted || cached.Head.IsCanceled)
            {
                // shared by every waiter, so not cancelled with the request that happened to start it
                cached = (ReadHeadAsync(list, CancellationToken.None), now);
                _heads[list] = cached;
            }

            read = cached.Head;
        }

        return read.IsCompletedSuccessfully ? new ValueTask<PublishedHead?>(read.Result) : new ValueTask<PublishedHead?>(OrLastGoodAsync(list, read, cancellationToken));
    }

    /// <summary>
    /// While storage is down on this instance, the last head read of <paramref name="list"/> (if any), answered without
    /// a read; the request is marked so its later storage calls fail at once, and a head read in the background (one
    /// probe at a time across the instance) sees storage return.
    /// </summary>
    private bool TryStale(string list, [NotNullWhen(true)] out PublishedHead? last)
    {
        last = null;
        if (!outage.IsDown)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_lastGood.TryGetValue(list, out last))
            {
                return false;
            }
        }

        RequestStorageScope.MarkUnavailable("storage down on this instance");
        outage.TryStartProbe(cancellationToken => ReadHeadAsync(list, cancellationToken));
        return true;
    }

    private async Task<PublishedHead?> OrLastGoodAsync(string list, Task<PublishedHead?> read, CancellationToken cancellationToken)
    {
        PublishedHead? last;
        lock (_gate)
        {
            _lastGood.TryGetValue(list, out last);
        }

        if (last is null)
        {
            return await read.WaitAsync(cancellationToken);
        }

        try
        {
            return await read.WaitAsync(options.Value.StaleIfErrorAfter, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return last;
        }
        catch (Exception e) when (StorageFailures.IsUnavailable(e, cancellationToken))
        {
            return last;
        }
    }

    /// <summary>Drops the cached head of <paramref name="list"/>, so the next read sees a version just observed (long polls).</summary>
    public void ForgetHead(string list)
    {
        lock (_gate)
        {
            _heads.Remove(list);
        }
    }

    private async Task<PublishedHead?> ReadHeadAsync(string list, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(names.Lists, ListHeadRows.Partition, list, cancellationToken);
        var head = row is null ? null : ListHeadRows.FromRow(row);
        if (head is not null)
        {
            lock (_gate)
            {
                if (!_lastGood.TryGetValue(list, out var known) || known.Version <= head.Version)
                {
                    _lastGood[list] = head;
                }
            }
        }

        return head;
    }

    /// <summary>
    /// The files that take a client at <paramref name="since"/> to <paramref name="head"/>'s version, in order. Computed
    /// once per list, head version and <paramref name="since"/> (one query of the <c>versions</c> partition) and shared by
    /// every poll that asks the same until the head moves on; at most <see cref="StepsCacheSize"/> answers per list.
    /// </summary>
    public Task<IReadOnlyList<UpdateFile>> StepsAsync(PublishedHead head, long since, CancellationToken cancellationToken)
    {
        if (since == head.Version || head.Version == 0)
        {
            return Task.FromResult<IReadOnlyList<UpdateFile>>([]);
        }

        Task<IReadOnlyList<UpdateFile>> steps;
        lock (_gate)
        {
            if (_steps.TryGetValue(head.List, out var answers) && answers.Version > head.Version)
            {
                // a poll that read the head just before it moved on: answer it, but keep the newer version's answers
                return ComputeStepsAsync(head, since, cancellationToken);
            }

            if (answers is null || answers.Version != head.Version || answers.SnapshotVersion != head.SnapshotVersion)
            {
                answers = new StepAnswers(head.Version, head.SnapshotVersion);
                _steps[head.List] = answers;
            }

            if (!answers.BySince.TryGetValue(since, out steps!) || steps.IsFaulted || steps.IsCanceled)
            {
                if (answers.BySince.Count >= StepsCacheSize)
                {
                    answers.BySince.Clear();
                }

                // shared by every waiter, so not cancelled with the request that happened to start it
                steps = ComputeStepsAsync(head, since, CancellationToken.None);
                answers.BySince[since] = steps;
            }
        }

        return steps.IsCompleted ? steps : steps.WaitAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<UpdateFile>> ComputeStepsAsync(PublishedHead head, long since, CancellationToken cancellationToken)
    {

        // the deltas either path may use: after the snapshot, and after a known since
        var from = head.SnapshotVersion > 0 ? head.SnapshotVersion + 1 : 1;
        if (since > 0 && since < head.Version)
        {
            from = Math.Min(from, since + 1);
        }

        var deltas = new Dictionary<long, (string Sha256, long Size)>();
        var (fromKey, toKey) = VersionRows.Range(from, head.Version);
        await foreach (var row in rows.QueryAsync(names.Versions, head.List, fromKey, toKey, cancellationToken))
        {
            if (VersionRows.FromRow(row) is { } version)
            {
                deltas[version.Version] = (version.DeltaSha256, version.DeltaSize);
            }
        }

        var plan = UpdatePath.Plan(since, head.Version, head.SnapshotVersion, head.SnapshotSize, v => deltas.TryGetValue(v, out var d) ? d.Size : long.MaxValue / 4);
        return plan.Select(step => step.Kind == UpdatePath.Snapshot
            ? new UpdateFile(step.Kind, step.Version, ArtifactPaths.RelativeSnapshot(step.Version), head.SnapshotSha256 ?? string.Empty, head.SnapshotSize)
            : new UpdateFile(step.Kind, step.Version, ArtifactPaths.RelativeDelta(step.Version), deltas[step.Version].Sha256, deltas[step.Version].Size)).ToList();
    }

    /// <summary>
    /// A file under <c>lists/{list}/</c>: <c>manifest.json</c> or <c>v/{n}/delta.json.gz|snapshot.json.gz|manifest.json</c>,
    /// each optionally <c>.sig</c>. Null for any other path (never a traversal) or a file that does not exist.
    /// </summary>
    /// <remarks>
    /// Immutable files are read once and then served from memory (up to <see cref="FileCacheBytes"/>); concurrent
    /// requests for one share a single read, started outside any one request's storage scope so that a request which
    /// already met a storage failure does not fail the others. A file not found is not remembered (it may be published
    /// next), nor is a failed read.
    /// </remarks>
    public async Task<StoredBlob?> FileAsync(ListName list, string relativePath, CancellationToken cancellationToken, ListFeed feed = ListFeed.Plain)
    {
        if (!IsServable(relativePath))
        {
            return null;
        }

        var path = ArtifactPaths.Resolve(list, feed, relativePath);
        if (!IsImmutable(relativePath))
        {
            return await blobs.GetAsync(names.ArtifactsContainer, path, cancellationToken);
        }

        Task<StoredBlob?> read;
        lock (_gate)
        {
            if (!_files.TryGetValue(path, out read!) || read.IsFaulted || read.IsCanceled || read is { IsCompletedSuccessfully: true, Result: null })
            {
                read = RequestStorageScope.Detached(() => ReadImmutableAsync(path));
                _files[path] = read;
            }
        }

        return read.IsCompletedSuccessfully ? read.Result : await read.WaitAsync(cancellationToken);
    }

    private async Task<StoredBlob?> ReadImmutableAsync(string path)
    {
        var blob = await blobs.GetAsync(names.ArtifactsContainer, path, CancellationToken.None);
        if (blob is not null)
        {
            lock (_gate)
            {
                if (_fileBytes + blob.Content.Length > FileCacheBytes)
                {
                    _files.Clear();
                    _fileBytes = 0;
                }

                if (blob.Content.Length <= FileCacheBytes)
                {
                    _files[path] = Task.FromResult<StoredBlob?>(blob);
                    _fileBytes += blob.Content.Length;
                }
            }
        }

        return blob;
    }

    /// <summary>True for the paths <see cref="FileAsync"/> serves.</summary>
    public static bool IsServable(string relativePath) => ServablePath().IsMatch(relativePath);

    /// <summary>True for files that never change once written (everything under <c>v/</c>).</summary>
    public static bool IsImmutable(string relativePath) => relativePath.StartsWith("v/", StringComparison.Ordinal);

    [GeneratedRegex(@"\A(manifest\.json|v/[1-9][0-9]{0,17}/(delta\.json\.gz|snapshot\.json\.gz|manifest\.json))(\.sig)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex ServablePath();
}
