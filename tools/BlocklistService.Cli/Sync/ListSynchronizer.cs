using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using BlocklistService.Cli.Exports;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Acceptance;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;

namespace BlocklistService.Cli.Sync;

/// <summary>What one sync run is to do besides applying: exports to regenerate and a command to run after a change.</summary>
/// <remarks><see cref="LongPoll"/> (daemon) asks the service to hold each poll until a newer version exists; with
/// <see cref="Feed"/> = hashed the list is fetched from the hashed feed and held without expressions.</remarks>
public sealed record SyncOptions(ListName List, IReadOnlyList<ExportFormat> Exports, RpzOptions Rpz, string? OnChange = null, TimeSpan? LongPoll = null, ListFeed Feed = ListFeed.Plain)
{
    /// <summary>Mode and group of the export files (0600, or 0640 with the resolver's group).</summary>
    public FilePermissions ExportPermissions { get; init; } = FilePermissions.OwnerOnly;
}

/// <summary>Shows download progress (a progress bar on a terminal); null when nobody watches.</summary>
public interface ISyncProgress
{
    IProgress<long>? Download(string name, long size);
}

/// <summary>The outcome of one poll: <c>updated</c>, <c>up-to-date</c>, <c>not-modified</c> or <c>retry-later</c>.</summary>
public sealed record SyncReport(
    string Outcome,
    string List,
    long PreviousVersion,
    long Version,
    int Entries,
    TimeSpan NextPollIn,
    string Message,
    IReadOnlyList<string> Steps,
    IReadOnlyList<ExportResult> Exports);

/// <summary>
/// One ISP sync cycle for one list, following the client acceptance rules of docs/protocol.md §7: poll, fetch the
/// current manifest, verify it (pinned key, format, list, higher version, not expired), fetch each step with its
/// manifest (signature, size, SHA-256, hash chain), apply it and compare the state hash and count, and only then
/// replace the local state atomically, regenerate the exports and run the on-change command. Any failure leaves the
/// last good state and exports as they were and is reported as a <see cref="CliException"/> saying which rule failed.
/// </summary>
/// <remarks>With a <see cref="KeyRotationFollower"/>, a manifest signed by a key not trusted yet makes it follow the
/// service's key sets first (the follower adds accepted keys to <paramref name="keys"/>).</remarks>
public sealed class ListSynchronizer(UpdateFeed feed, SignatureVerifier keys, LocalStateStore store, SyncOptions options, TimeProvider time, ISyncProgress? progress = null, KeyRotationFollower? rotation = null)
{
    private const long MaxManifestBytes = 1 << 20;
    private const long MaxSignatureBytes = 1 << 10;

    /// <summary>The list as last accepted, kept between cycles of a long-running sync; null means "read it from disk".</summary>
    private HeldList? _held;

    public ListName List => options.List;

    public async Task<SyncReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var report = await PollAndApplyAsync(cancellationToken);
        if (options.LongPoll is null || report.Outcome == "retry-later")
        {
            return report;
        }

        // long polling: the service did the waiting, so poll again at once — unless it answered "nothing new" without
        // holding the poll (a service without long polls), which would otherwise spin
        var answeredAtOnce = time.GetUtcNow() - started < TimeSpan.FromSeconds(1) && report.Outcome is "not-modified" or "up-to-date";
        return answeredAtOnce ? report : report with { NextPollIn = TimeSpan.Zero };
    }

    private async Task<SyncReport> PollAndApplyAsync(CancellationToken cancellationToken)
    {
        var held = _held ?? await LoadHeldAsync(cancellationToken);
        _held = null;
        var cursorPath = store.CursorPath(List);
        var cursor = await SyncCursor.ReadAsync(cursorPath, cancellationToken);
        var answer = await feed.PollAsync(List, held.Version, cursor.Since == held.Version ? cursor.ETag : null, cancellationToken, options.LongPoll);

        switch (answer)
        {
            case PollAnswer.RetryLater retry:
                _held = held;
                await (cursor with { NextPollNotBefore = time.GetUtcNow() + retry.Wait }).WriteAsync(cursorPath, cancellationToken);
                return Report("retry-later", held.Version, held, retry.Wait, $"The service asked to come back in {retry.Wait.TotalSeconds:0} s ({retry.Reason}).", [], []);

            case PollAnswer.NotModified notModified:
            {
                CheckFresh(held);
                var wait = notModified.MinimumWait ?? UpdateFeed.DefaultMinimumWait;
                var exports = await ExportIfStaleAsync(held, cursor, cancellationToken);
                _held = held;
                await (cursor with { NextPollNotBefore = time.GetUtcNow() + wait, ExportedVersion = held.Version, ExportedFormats = FormatKey(), ExportedFiles = exports.Count > 0 ? Fingerprints(exports) : cursor.ExportedFiles }).WriteAsync(cursorPath, cancellationToken);
                return Report("not-modified", held.Version, held, wait, $"List {List} is at version {held.Version}; nothing changed.", [], exports);
            }

            case PollAnswer.Changes changes:
                return await ApplyChangesAsync(held, cursor, changes, cancellationToken);

            default:
                throw new UnreachableException();
        }
    }

    private async Task<SyncReport> ApplyChangesAsync(HeldList held, SyncCursor cursor, PollAnswer.Changes changes, CancellationToken cancellationToken)
    {
        var cursorPath = store.CursorPath(List);
        var previousVersion = held.Version;
        if (changes.Steps.Count == 0 && changes.Version <= held.Version)
        {
            Refusal.ThrowIf(VersionAcceptance.CheckReportedVersion(List, held.Version, changes.Version));
            return await UpToDateAsync(held, cursor, changes, cancellationToken);
        }

        var (manifestBytes, manifestSignature, manifest) = await FetchManifestAsync(changes.ManifestPath, null, cancellationToken);
        var manifestSha256 = Sha256(manifestBytes);
        Refusal.ThrowIf(VersionAcceptance.CheckOffered(held.Version, held.ManifestSha256, manifest, manifestSha256));
        if (manifest.Version == held.Version)
        {
            return await UpToDateAsync(held, cursor, changes, cancellationToken);
        }

        Refusal.ThrowIf(VersionAcceptance.CheckNotExpired(manifest, time.GetUtcNow()));
        var steps = changes.Steps.Count > 0 ? changes.Steps : Derive(held, manifest);
        Refusal.ThrowIf(VersionAcceptance.CheckSteps(steps.Select(s => s.Step).ToList(), held.Version, manifest.Version));

        store.DeleteLeftovers(List);
        var working = held;
        var applied = new List<string>();
        MergedDelta? lastDelta = null;
        try
        {
            foreach (var step in steps)
            {
                var stepManifestBytes = manifestBytes;
                var stepManifest = manifest;
                if (step.Version != manifest.Version)
                {
                    (stepManifestBytes, _, stepManifest) = await FetchManifestAsync(step.ManifestPath, step.Version, cancellationToken);
                }

                Refusal.ThrowIf(VersionAcceptance.CheckStepManifest(step.Step, stepManifest, step.ManifestPath));

                HeldList next;
                if (step.IsSnapshot)
                {
                    next = await LoadSnapshotAsync(step, stepManifest, stepManifestBytes, cancellationToken);
                    lastDelta = null;
                }
                else
                {
                    lastDelta = await ApplyDeltaAsync(working, step, stepManifest, stepManifestBytes, cancellationToken);
                    next = lastDelta.List;
                }

                working.DeleteIfTemporary();
                working = next;
                applied.Add(step.Path);
            }

            Refusal.ThrowIf(VersionAcceptance.CheckArrived(working.Version, working.ManifestSha256, manifest, manifestSha256));
        }
        catch
        {
            working.DeleteIfTemporary();
            throw;
        }

        // The state is committed (synced, renamed) while the exports are prepared; an export file is renamed only after
        // the commit succeeded. One delta on top of exports of the version before: the exports are merged with the
        // change; otherwise they are rewritten from the committed state.
        var written = working;
        if (options.Feed == ListFeed.Hashed)
        {
            // a hashed state names nothing and is what the proxy helper and the resolver plugin read: it gets the
            // export group's read access (0640) when one is configured, like an export
            options.ExportPermissions.OpenPath(store.Root, store.ListDirectory(List));
            options.ExportPermissions.ApplyTo(written.EntriesPath!);
        }

        var commit = Task.Run(() => store.CommitAsync(List, written.EntriesPath!, (manifestBytes, manifestSignature), cancellationToken), cancellationToken);
        var change = applied.Count == 1 && lastDelta is not null ? new ExportChange(previousVersion, lastDelta.Removed, lastDelta.Added) : null;
        IReadOnlyList<ExportResult> exports;
        try
        {
            exports = await ExportAsync(working, cursor, change, cancellationToken, commit);
        }
        catch when (!commit.IsCompletedSuccessfully)
        {
            await commit.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (commit.IsFaulted || commit.IsCanceled)
            {
                working.DeleteIfTemporary();
                await commit;
            }

            throw;
        }

        working = working.Committed(store.StatePath(List));
        _held = working;

        await (cursor with
        {
            Since = working.Version,
            ETag = null,
            NextPollNotBefore = time.GetUtcNow() + changes.MinimumWait,
            ExportedVersion = working.Version,
            ExportedFormats = FormatKey(),
            ExportedFiles = Fingerprints(exports),
        }).WriteAsync(cursorPath, cancellationToken);
        await RunOnChangeAsync(previousVersion, working, exports, cancellationToken);
        return Report("updated", previousVersion, working, changes.MinimumWait, $"List {List} updated from version {previousVersion} to {working.Version} ({working.Count} entries).", applied, exports);
    }

    private async Task<SyncReport> UpToDateAsync(HeldList held, SyncCursor cursor, PollAnswer.Changes changes, CancellationToken cancellationToken)
    {
        CheckFresh(held);
        var exports = await ExportIfStaleAsync(held, cursor, cancellationToken);
        _held = held;
        await (cursor with
        {
            Since = held.Version,
            ETag = changes.ETag,
            NextPollNotBefore = time.GetUtcNow() + changes.MinimumWait,
            ExportedVersion = held.Version,
            ExportedFormats = FormatKey(),
            ExportedFiles = exports.Count > 0 ? Fingerprints(exports) : cursor.ExportedFiles,
        }).WriteAsync(store.CursorPath(List), cancellationToken);
        return Report("up-to-date", held.Version, held, changes.MinimumWait, $"List {List} is at version {held.Version}, the current one.", [], exports);
    }

    private async Task<HeldList> LoadHeldAsync(CancellationToken cancellationToken)
    {
        if (!store.Exists(List))
        {
            return HeldList.Empty(List, options.Feed);
        }

        var header = store.ReadHeader(List);
        if (header.Feed != options.Feed)
        {
            throw new CliException(
                "state-feed-mismatch",
                $"The local state of list {List} was synced from the {header.Feed.ToWireName()} feed; this sync asks for the {options.Feed.ToWireName()} feed.",
                $"Use --feed {header.Feed.ToWireName()}, or delete {store.ListDirectory(List)} and sync afresh from the {options.Feed.ToWireName()} feed.");
        }

        return HeldList.FromState(header, store.StatePath(List), await store.ReadManifestAsync(header.ManifestSha256, List, cancellationToken));
    }

    /// <summary>Freeze detection: holding an expired manifest while the service offers nothing newer is an error, not "up to date".</summary>
    private void CheckFresh(HeldList held)
    {
        if (held.Manifest is { } bytes && Manifest.FromJson(bytes).TryGetValue(out var manifest))
        {
            Refusal.ThrowIf(VersionAcceptance.CheckFresh(manifest, time.GetUtcNow()));
        }
    }

    private static List<FetchStep> Derive(HeldList held, Manifest manifest)
    {
        var steps = new List<FetchStep>();
        var from = held.Version;
        if ((held.Version == 0 || held.ManifestSha256 is null) && manifest.Snapshot is { } snapshot)
        {
            steps.Add(new FetchStep(true, snapshot.Version, snapshot.Path, ArtifactPaths.RelativeManifest(snapshot.Version)));
            from = snapshot.Version;
        }

        for (var v = from + 1; v <= manifest.Version; v++)
        {
            steps.Add(new FetchStep(false, v, ArtifactPaths.RelativeDelta(v), ArtifactPaths.RelativeManifest(v)));
        }

        return steps;
    }

    private async Task<(byte[] Bytes, byte[] Signature, Manifest Manifest)> FetchManifestAsync(string path, long? version, CancellationToken cancellationToken)
    {
        var bytes = await feed.DownloadAsync(List, path, MaxManifestBytes, null, cancellationToken);
        var signature = await feed.DownloadAsync(List, path + ArtifactPaths.SignatureSuffix, MaxSignatureBytes, null, cancellationToken);
        var what = version is null ? "the current manifest" : $"the manifest of version {version}";
        if (rotation is not null && keys.Check(bytes, signature) is not null && Manifest.FromJson(bytes).TryGetValue(out var unverified) && !keys.IsPinned(unverified.KeyId))
        {
            await rotation.FollowAsync(unverified.KeyId, cancellationToken);
        }

        if (keys.Check(bytes, signature) is { } anyKey)
        {
            throw Refusal.Of("signature", $"{what} ({path}): manifest signature invalid or key not pinned: {anyKey} (pinned: {string.Join(", ", keys.KeyIds)})");
        }

        var parsed = Manifest.FromJson(bytes);
        if (!parsed.IsSuccess)
        {
            throw Refusal.Of("malformed", $"{what} ({path}) is a malformed manifest: {parsed.Error}");
        }

        var manifest = parsed.Value;
        if (keys.Check(bytes, signature, manifest.KeyId) is { } named)
        {
            throw Refusal.Of("signature", $"{what} ({path}) names key {manifest.KeyId}: {named}");
        }

        Refusal.ThrowIf(VersionAcceptance.CheckIdentity(manifest, List, options.Feed, $"{what} ({path})"));

        return (bytes, signature, manifest);
    }

    /// <summary>Downloads a file a manifest vouches for and checks its size, SHA-256 and signature.</summary>
    private async Task<byte[]> FetchVouchedAsync(ArtifactFile file, Manifest manifest, CancellationToken cancellationToken)
    {
        var bytes = await feed.DownloadAsync(List, file.Path, file.Size, progress?.Download(file.Path, file.Size), cancellationToken);
        Refusal.ThrowIf(VersionAcceptance.CheckFile(file, bytes, manifest));

        var signature = await feed.DownloadAsync(List, file.Path + ArtifactPaths.SignatureSuffix, MaxSignatureBytes, null, cancellationToken);
        if (keys.Check(bytes, signature, manifest.KeyId) is { } problem)
        {
            throw Refusal.Of("signature", $"{file.Path}: {problem}");
        }

        return bytes;
    }

    private async Task<HeldList> LoadSnapshotAsync(FetchStep step, Manifest manifest, byte[] manifestBytes, CancellationToken cancellationToken)
    {
        Refusal.ThrowIf(VersionAcceptance.CheckSnapshotVouched(step.Step, step.Path, manifest));
        var bytes = await FetchVouchedAsync(manifest.Snapshot!.File, manifest, cancellationToken);
        var path = store.TemporaryStatePath(List);
        using var writer = new StateFileWriter(path);
        SnapshotContent snapshot;
        try
        {
            snapshot = options.Feed == ListFeed.Hashed ? HashedSnapshotReader.Read(bytes, writer) : SnapshotStream.Read(bytes, writer, cancellationToken);
        }
        catch (SnapshotFormatException e)
        {
            throw Refusal.Of("malformed", $"{step.Path}: {e.Message}");
        }

        if (snapshot.List != List || snapshot.Version != step.Version)
        {
            throw Refusal.Of("malformed", $"{step.Path} holds list '{snapshot.List}' version {snapshot.Version}, not '{List}' version {step.Version}");
        }

        Refusal.ThrowIf(VersionAcceptance.CheckState(manifest, snapshot.Checksum.StateHash, snapshot.Count));
        var list = HeldList.Written(List, snapshot.Version, snapshot.Count, snapshot.Checksum, manifestBytes, path, options.Feed);
        writer.Finish(list.Header(time.GetUtcNow()));
        return list;
    }

    private async Task<MergedDelta> ApplyDeltaAsync(HeldList working, FetchStep step, Manifest manifest, byte[] manifestBytes, CancellationToken cancellationToken)
    {
        Refusal.ThrowIf(VersionAcceptance.CheckChain(manifest, working.Version, working.ManifestSha256));

        var bytes = await FetchVouchedAsync(manifest.Delta, manifest, cancellationToken);
        Func<MergedDelta> merge;
        long toVersion;
        string? error;
        if (options.Feed == ListFeed.Hashed)
        {
            var hashed = HashedDelta.FromGzip(bytes);
            error = hashed.IsSuccess ? null : hashed.Error;
            toVersion = hashed.IsSuccess ? hashed.Value.ToVersion : 0;
            merge = () => DeltaMerge.Apply(working, hashed.Value, manifestBytes, store.TemporaryStatePath(List), time.GetUtcNow(), cancellationToken);
        }
        else
        {
            var plain = Delta.FromGzip(bytes);
            error = plain.IsSuccess ? null : plain.Error;
            toVersion = plain.IsSuccess ? plain.Value.ToVersion : 0;
            merge = () => DeltaMerge.Apply(working, plain.Value, manifestBytes, store.TemporaryStatePath(List), time.GetUtcNow(), cancellationToken);
        }

        if (error is not null)
        {
            throw Refusal.Of("malformed", $"{step.Path}: {error}");
        }

        if (toVersion != manifest.Version)
        {
            throw Refusal.Of("malformed", $"{step.Path} leads to version {toVersion}, its manifest is version {manifest.Version}");
        }

        MergedDelta merged;
        try
        {
            merged = merge();
        }
        catch (DeltaMismatchException e)
        {
            throw Refusal.Of("delta", $"{step.Path} does not apply to the list held: {e.Message}");
        }

        try
        {
            Refusal.ThrowIf(VersionAcceptance.CheckState(manifest, merged.List.Checksum.StateHash, merged.List.Count));
        }
        catch
        {
            merged.List.DeleteIfTemporary();
            throw;
        }

        return merged;
    }

    private async Task<IReadOnlyList<ExportResult>> ExportIfStaleAsync(HeldList held, SyncCursor cursor, CancellationToken cancellationToken) =>
        held.Version > 0 && (cursor.ExportedVersion != held.Version || cursor.ExportedFormats != FormatKey())
            ? await ExportAsync(held, cursor, null, cancellationToken)
            : [];

    /// <summary>
    /// Writes every export of the committed state. With a <paramref name="change"/> from the version the cursor says an
    /// export file holds (and the file unchanged since, with the same options), the file is merged with the change;
    /// otherwise, or if the merge finds the old file is not as expected, it is written from the state file.
    /// </summary>
    private async Task<IReadOnlyList<ExportResult>> ExportAsync(HeldList held, SyncCursor cursor, ExportChange? change, CancellationToken cancellationToken, Task? commit = null)
    {
        commit ??= Task.CompletedTask;
        var state = LocalStateStore.ToState(held.Header(time.GetUtcNow()), store.StatePath(List));
        var results = new List<ExportResult>();
        if (options.Exports.Count > 0)
        {
            options.ExportPermissions.OpenPath(store.Root, store.ExportDirectory(List));
        }

        foreach (var format in options.Exports)
        {
            var paths = ExportRunner.ResolvePaths(format, null, store.ExportDirectory(List));
            ExportResult? result = null;
            if (change is not null
                && cursor.ExportedFiles?.FirstOrDefault(f => f.Format == format.ToName()) is { } previous
                && previous.Version == change.FromVersion
                && previous.Options == ExportRunner.OptionsKey(format, options.Rpz)
                && paths.Count == 1 && previous.Path == paths[0]
                && previous.MatchesDisk())
            {
                result = await ExportRunner.MergeAsync(state, format, options.Rpz, paths, new ExportSummary(previous.Written, previous.Skipped), change, cancellationToken, () => commit, options.ExportPermissions);
            }

            if (result is null)
            {
                // A full export reads the entries from the committed state file.
                await commit;
                result = await ExportRunner.ExportAsync(state, format, options.Rpz, paths, cancellationToken, permissions: options.ExportPermissions);
            }

            results.Add(result);
        }

        await commit;
        return results;
    }

    private IReadOnlyList<ExportFingerprint> Fingerprints(IReadOnlyList<ExportResult> exports) =>
        exports.Where(e => e.Files.Count == 1)
            .Select(e => new ExportFingerprint(
                e.Format.ToName(),
                ExportRunner.OptionsKey(e.Format, options.Rpz),
                e.Version,
                e.Files[0].Path,
                new FileInfo(e.Files[0].Path).Length,
                File.GetLastWriteTimeUtc(e.Files[0].Path).Ticks,
                e.Summary.Written,
                e.Summary.Skipped))
            .ToList();

    private async Task RunOnChangeAsync(long previousVersion, HeldList list, IReadOnlyList<ExportResult> exports, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.OnChange))
        {
            return;
        }

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(options.OnChange);
        start.Environment["BLOCKLIST_LIST"] = List.Value;
        start.Environment["BLOCKLIST_VERSION"] = list.Version.ToString(CultureInfo.InvariantCulture);
        start.Environment["BLOCKLIST_PREVIOUS_VERSION"] = previousVersion.ToString(CultureInfo.InvariantCulture);
        start.Environment["BLOCKLIST_ENTRY_COUNT"] = list.Count.ToString(CultureInfo.InvariantCulture);
        start.Environment["BLOCKLIST_STATE_FILE"] = store.StatePath(List);
        start.Environment["BLOCKLIST_EXPORT_DIR"] = store.ExportDirectory(List);
        start.Environment["BLOCKLIST_EXPORT_FILES"] = string.Join(":", exports.SelectMany(e => e.Files).Select(f => f.Path));
        using var process = Process.Start(start) ?? throw new CliException("on-change-failed", $"The --on-change command could not be started: {options.OnChange}", "Check the command.");
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new CliException(
                "on-change-failed",
                $"List {List} was updated to version {list.Version} and exported, but the --on-change command exited with {process.ExitCode}: {options.OnChange}",
                "Fix the command (it runs with /bin/sh -c and BLOCKLIST_LIST, BLOCKLIST_VERSION, BLOCKLIST_EXPORT_FILES in its environment); it runs again after the next update.");
        }
    }

    private string FormatKey() => string.Join(",", options.Exports.Select(f => f.ToName()));

    private SyncReport Report(string outcome, long previousVersion, HeldList after, TimeSpan wait, string message, IReadOnlyList<string> steps, IReadOnlyList<ExportResult> exports) =>
        new(outcome, List.Value, previousVersion, after.Version, checked((int)after.Count), wait, message, steps, exports);

    private static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

}
