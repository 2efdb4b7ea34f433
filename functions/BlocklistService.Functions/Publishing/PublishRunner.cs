using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Publishing;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using BlocklistService.Functions.Telemetry;

using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Publishing;

/// <summary>What one run did for one list.</summary>
public enum ListPublishOutcome
{
    NothingPending,
    Published,
    Resumed,
    Held,
    LostRace,
}

/// <summary>One list's result of a run.</summary>
public sealed record ListPublishResult(string List, ListPublishOutcome Outcome, long Version);

/// <summary>
/// Publishes every list with pending changes (docs/architecture.md, "Publish"): read the head, plan from the
/// pending journal and the due expiries, claim the plan with an If-Match head update, execute it in idempotent
/// steps and commit. The timer, the local scheduler and the admin route all call <see cref="RunOnceAsync"/>.
/// A version is signed (manifest, delta, snapshot, log checkpoint) by the key of <paramref name="keys"/> active at the
/// plan's created time, after the key set chain announcing that key has been published.
/// </summary>
public sealed class PublishRunner(
    IRowStore rows,
    IBlobStore blobs,
    SigningKeyRing keys,
    IOptions<PublishingOptions> options,
    TimeProvider time,
    ILogger<PublishRunner> logger,
    PublishStorageNames? storageNames = null,
    IPublishFaults? faults = null,
    BlocklistMetrics? metrics = null) : ILogBatchSource
{
    /// <summary>The <c>lists</c> table partition of list heads.</summary>
    public const string ListsPartition = ListHeadRows.Partition;
    private readonly PublishStorageNames _names = storageNames ?? new PublishStorageNames();
    private readonly KeySetPublisher _keySets = new(blobs, keys, storageNames ?? new PublishStorageNames(), time, logger);
    private readonly HashedFeedWriter _hashed = new(blobs, storageNames ?? new PublishStorageNames());
    private PublishingOptions Options => options.Value;

    /// <summary>A runner whose one key signs everything (single-key deployments, tests).</summary>
    public PublishRunner(
        IRowStore rows,
        IBlobStore blobs,
        IArtifactSigner signer,
        IOptions<PublishingOptions> options,
        TimeProvider time,
        ILogger<PublishRunner> logger,
        PublishStorageNames? storageNames = null,
        IPublishFaults? faults = null)
        : this(rows, blobs, SigningKeyRing.Single(signer), options, time, logger, storageNames, faults)
    {
    }

    /// <summary>The monthly transparency figures, brought up to date with the log after every run (null: not kept).</summary>
    public Redress.ReportAggregates? Report { get; init; }

    /// <summary>The transparency log this runner appends to (checkpoints signed by the key active now).</summary>
    public TransparencyLogStore Log => LogSignedBy(keys.ActiveAt(time.GetUtcNow()));

    /// <summary>One publish cycle over every list.</summary>
    public async Task<IReadOnlyList<ListPublishResult>> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _keySets.EnsurePublishedAsync(cancellationToken);
        var lists = new List<string>();
        await foreach (var row in rows.QueryAllAsync(_names.Lists, cancellationToken))
        {
            if (row.PartitionKey == ListsPartition)
            {
                lists.Add(row.RowKey);
            }
        }

        var results = new List<ListPublishResult>();
        foreach (var list in lists.Order(StringComparer.Ordinal))
        {
            var started = time.GetTimestamp();
            var result = await PublishListAsync(list, cancellationToken);
            metrics?.PublishFinished(list, result.Outcome.ToString(), time.GetElapsedTime(started));
            results.Add(result);
        }

        // A held list is held again on every cycle until an admin decides, so this is the number of holds open.
        metrics?.HoldsOpen(results.Count(r => r.Outcome == ListPublishOutcome.Held));
        await CountForReportAsync(cancellationToken);
        return results;
    }

    /// <summary>Publishes one list: resumes its in-flight plan, or plans, claims and executes the next version.</summary>
    public async Task<ListPublishResult> PublishListAsync(string list, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(list, cancellationToken) ?? throw new InvalidOperationException($"list '{list}' does not exist");
        await RepairCurrentManifestAsync(list, head, cancellationToken);

        var inFlight = head.InFlightPlan;
        var nextVersion = head.Version + 1;
        var hold = inFlight is null && await rows.GetAsync(_names.Holds, HoldRows.Partition, HoldId(list, nextVersion), cancellationToken) is { } holdRow
            ? HoldRows.FromRow(holdRow)
            : null;
        var holdStatus = hold?.Hold.Status;
        var now = time.GetUtcNow();
        PlanDocument? document;
        switch (PublishDecision.Next(inFlight is not null, holdStatus == HoldDesk.Held, holdStatus == HoldDesk.Approved))
        {
            case ListAction.ResumeInFlight:
                var resumed = PlanDocument.FromJson((await blobs.GetAsync(_names.WorkContainer, inFlight!, cancellationToken)
                    ?? throw new InvalidOperationException($"plan {inFlight} named by the head of '{list}' is missing")).Content);
                logger.LogInformation("Resuming plan {Plan} for {List} version {Version}", inFlight, list, resumed.Plan.Version);
                return await ExecuteAsync(resumed, inFlight!, head, ListPublishOutcome.Resumed, cancellationToken)
                    ?? new ListPublishResult(list, ListPublishOutcome.LostRace, resumed.Plan.Version);
            case ListAction.WaitForHold:
                return new ListPublishResult(list, ListPublishOutcome.Held, nextVersion);
            case ListAction.PublishApproved:
                var heldBlob = hold!.PlanName is { } heldPlan ? await blobs.GetAsync(_names.WorkContainer, heldPlan, cancellationToken) : null;
                var held = PlanDocument.FromJson((heldBlob ?? throw new InvalidOperationException($"the plan of hold {hold.Hold.Id} is missing")).Content);
                document = held with { Plan = ChangeSet.Restamp(held.Plan, now) };
                break;
            default:
                document = await PlanAsync(list, head, now, cancellationToken);
                if (document is null)
                {
                    return new ListPublishResult(list, ListPublishOutcome.NothingPending, head.Version);
                }

                var guard = new ChangeGuard(Options.HoldShare, Options.HoldChanges, Options.HoldMinimumChanges);
                if (guard.MustHold(head.EntryCount, document.Plan.ChangeCount))
                {
                    await HoldAsync(list, document, cancellationToken);
                    return new ListPublishResult(list, ListPublishOutcome.Held, document.Plan.Version);
                }

                break;
        }

        return await ClaimAndExecuteAsync(list, head, document, cancellationToken);
    }

    /// <summary>Writes <paramref name="document"/>'s plan, claims the list's head for it (If-Match) and executes it.</summary>
    internal async Task<ListPublishResult> ClaimAndExecuteAsync(string list, ListHead head, PlanDocument document, CancellationToken cancellationToken)
    {
        var plan = document.Plan;
        Step(list, "planned");
        var planName = $"plans/{list}/{plan.Version.ToString("D12", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.json";
        await blobs.PutIfAbsentAsync(_names.WorkContainer, planName, document.ToJson(), "application/json", SignedFiles.NoCache, cancellationToken);
        Step(list, "plan-written");

        var claimed = head with { PlanName = planName };
        string etag;
        try
        {
            etag = await rows.UpdateAsync(_names.Lists, ListHeadRows.ToRow(claimed), head.ETag, cancellationToken);
        }
        catch (RowConflictException)
        {
            logger.LogInformation("Another publisher claimed {List} version {Version} first", list, plan.Version);
            return new ListPublishResult(list, ListPublishOutcome.LostRace, plan.Version);
        }

        Step(list, "claimed");
        return await ExecuteAsync(document, planName, claimed with { ETag = etag }, ListPublishOutcome.Published, cancellationToken)
               ?? new ListPublishResult(list, ListPublishOutcome.LostRace, plan.Version);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<byte[]>> LeavesAsync(string list, long version, string planName, CancellationToken cancellationToken)
    {
        var blob = await blobs.GetAsync(_names.WorkContainer, planName, cancellationToken)
                   ?? throw new InvalidOperationException($"plan {planName} of a pending log batch is missing");
        if (list == TransparencyLogStore.DecisionBatches)
        {
            return [blob.Content]; // a decision's "plan" is its leaf (DecisionLog)
        }

        return PlanDocument.FromJson(blob.Content).Plan.Leaves.Select(l => l.ToLeafBytes()).ToList();
    }

    private async Task<PlanDocument?> PlanAsync(string list, ListHead head, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var journal = new JournalReader(rows, _names);
        var pending = await journal.PendingAsync(list, cancellationToken);
        var consumed = new List<string>();
        var items = new List<PendingChange>();
        foreach (var submission in pending)
        {
            var found = await journal.ItemsAsync(submission, list, cancellationToken);
            if (found is null)
            {
                continue; // marker written before its head? never by ingest; keep it for a later run
            }

            consumed.Add(submission);
            items.AddRange(found);
        }

        var due = new List<DueExpiry>();
        await foreach (var row in rows.QueryAsync(_names.Expiries, list, null, ExpiryRows.DueBefore(now), cancellationToken))
        {
            if (ExpiryRows.FromRow(row) is { } expiry)
            {
                due.Add(expiry);
            }
        }

        var version = head.Version;
        if (!PublishDecision.IsDue(consumed.Count, due.Count, version, head.Published, now, Options.RefreshAfter))
        {
            return null;
        }

        var entries = new Dictionary<EntryId, EntryState>();
        foreach (var id in items.Select(i => i.Id).Concat(due.Select(d => d.Id)).Distinct())
        {
            if (await rows.GetAsync(_names.Entries, list, EntryRows.RowKey(id), cancellationToken) is { } row)
            {
                entries[id] = EntryRows.FromRow(id, row);
            }
        }

        var plan = PublishPlanner.Plan(new PlanInput(list, version, head.EntryCount, now, Options.ManifestLifetime, consumed, items, due, entries));
        return DocumentFor(head, plan);
    }

    /// <summary>A plan with the facts from the head it builds on: the checksum after it, the manifest chain and the snapshot policy.</summary>
    internal PlanDocument DocumentFor(ListHead head, PublishPlan plan)
    {
        var checksum = head.Checksum is { } stored ? LtHash16.FromBytes(stored).Value : new LtHash16();
        foreach (var entry in plan.Listed)
        {
            checksum.Add(entry.Id);
        }

        foreach (var id in plan.Unlisted)
        {
            checksum.Remove(id);
        }

        var snapshotVersion = head.SnapshotVersion;
        var deltaBytes = head.DeltaBytesSinceSnapshot;
        return new PlanDocument
        {
            Plan = plan,
            Checksum = checksum.ToBytes(),
            PreviousManifestSha256 = head.ManifestSha256,
            SnapshotDue = SnapshotPolicy.IsDue(plan.Version, snapshotVersion, deltaBytes, head.SnapshotSize, Options.SnapshotEvery),
            PreviousSnapshotVersion = snapshotVersion,
            PreviousSnapshotSha256 = head.SnapshotSha256,
            PreviousSnapshotSize = head.SnapshotSize,
            DeltaBytesSinceSnapshot = deltaBytes,
        };
    }

    private async Task<ListPublishResult?> ExecuteAsync(PlanDocument document, string planName, ListHead head, ListPublishOutcome outcome, CancellationToken cancellationToken)
    {
        var plan = document.Plan;
        var list = plan.List;
        var artifacts = _names.ArtifactsContainer;
        await _keySets.EnsurePublishedAsync(cancellationToken);
        var signer = keys.ActiveAt(plan.Created);
        var files = new SignedFiles(blobs, signer);

        var batch = await LogSignedBy(signer).AppendBatchAsync(list, plan.Version, planName, plan.Leaves.Select(l => l.ToLeafBytes()).ToList(), plan.Created, cancellationToken);
        Step(list, "logged");

        var listName = ListName.Parse(list);
        var deltaDocument = Delta.Create(listName, plan.Version - 1, plan.Version, plan.Listed, plan.Unlisted);
        var delta = deltaDocument.ToGzip();
        var deltaFile = ArtifactFile.Describe(ArtifactPaths.RelativeDelta(plan.Version), delta);
        await files.WriteImmutableAsync(artifacts, ArtifactPaths.Delta(listName, plan.Version), delta, "application/gzip", cancellationToken);
        Step(list, "delta");

        var snapshot = document.PreviousSnapshotVersion > 0
            ? new SnapshotReference(document.PreviousSnapshotVersion, ArtifactPaths.RelativeSnapshot(document.PreviousSnapshotVersion), document.PreviousSnapshotSha256!, document.PreviousSnapshotSize)
            : null;

        // both feeds always have their snapshots at the same versions, so one update path serves both
        var snapshotDue = document.SnapshotDue || await _hashed.NeedsSnapshotAsync(listName, plan.Version, cancellationToken);
        Snapshot? snapshotDocument = null;
        if (snapshotDue)
        {
            snapshotDocument = await BuildSnapshotAsync(listName, document, deltaDocument, cancellationToken);
            var snapshotBytes = snapshotDocument.ToGzip();
            await files.WriteImmutableAsync(artifacts, ArtifactPaths.Snapshot(listName, plan.Version), snapshotBytes, "application/gzip", cancellationToken);
            var described = ArtifactFile.Describe(ArtifactPaths.RelativeSnapshot(plan.Version), snapshotBytes);
            snapshot = new SnapshotReference(plan.Version, described.Path, described.Sha256, described.Size);
            Step(list, "snapshot");
        }

        var manifestDocument = new Manifest
        {
            List = listName,
            Version = plan.Version,
            EntryCount = plan.Count,
            StateHash = LtHash16.FromBytes(document.Checksum).Value.StateHash,
            Created = plan.Created,
            Expires = plan.Expires,
            Delta = deltaFile,
            Snapshot = snapshot,
            PreviousManifestSha256 = document.PreviousManifestSha256,
            KeyId = signer.KeyId,
            Log = new LogReference(batch.Size, batch.Root),
        };
        var manifest = manifestDocument.ToJson();
        var manifestSha = Sha256Hex(manifest);
        await files.WriteImmutableAsync(artifacts, ArtifactPaths.Manifest(listName, plan.Version), manifest, "application/json", cancellationToken);
        Step(list, "manifest");

        var hashedManifest = await _hashed.WriteAsync(files, manifestDocument, deltaDocument, snapshotDocument, cancellationToken);
        Step(list, "hashed");

        await ApplyEntriesAsync(plan, cancellationToken);
        Step(list, "entries");

        await rows.UpsertAsync(_names.Versions, [VersionRows.ToRow(new VersionRecord(
            list, plan.Version, plan.Created, plan.Count, plan.Listed.Count, plan.Unlisted.Count, deltaFile.Sha256, deltaFile.Size, manifestSha,
            snapshot?.Version ?? 0, snapshot?.Size ?? 0, batch.Size, batch.Root, planName))], cancellationToken);
        await rows.UpsertAsync(_names.Publications, plan.Publications.Select(PublicationRows.ToRow).ToList(), cancellationToken);
        Step(list, "publications");

        await rows.DeleteAsync(_names.Pending, plan.ConsumedSubmissions.Select(s => (list, s)).ToList(), cancellationToken);
        Step(list, "pending");

        var committed = head with
        {
            Version = plan.Version,
            EntryCount = plan.Count,
            Checksum = document.Checksum,
            ManifestSha256 = manifestSha,
            SnapshotVersion = snapshot?.Version ?? 0,
            SnapshotSha256 = snapshot?.Sha256,
            SnapshotSize = snapshot?.Size ?? 0,
            DeltaBytesSinceSnapshot = snapshotDue ? 0 : document.DeltaBytesSinceSnapshot + delta.Length,
            Published = plan.Created,
            PlanName = null,
        };
        try
        {
            await rows.UpdateAsync(_names.Lists, ListHeadRows.ToRow(committed), head.ETag, cancellationToken);
        }
        catch (RowConflictException)
        {
            logger.LogInformation("Plan {Plan} was committed by another publisher", planName);
            return null;
        }

        Step(list, "committed");
        await files.OverwriteAsync(artifacts, ArtifactPaths.CurrentManifest(listName), manifest, "application/json", cancellationToken);
        await _hashed.PublishCurrentAsync(files, listName, hashedManifest, cancellationToken);
        logger.LogInformation("Published {List} version {Version}: +{Added} -{Removed}, {Count} entries", list, plan.Version, plan.Listed.Count, plan.Unlisted.Count, plan.Count);
        metrics?.ListPublished(list, plan.Version, plan.Count);
        return new ListPublishResult(list, outcome, plan.Version);
    }

    private async Task ApplyEntriesAsync(PublishPlan plan, CancellationToken cancellationToken)
    {
        var list = plan.List;
        await rows.UpsertAsync(_names.Entries, plan.EntryWrites.Select(e => EntryRows.ToRow(list, e)).ToList(), cancellationToken);
        await rows.UpsertAsync(_names.Expiries, plan.ExpiryRowsAdded.Select(r => ExpiryRows.ToRow(list, r)).ToList(), cancellationToken);
        await rows.DeleteAsync(_names.Expiries, plan.ExpiryRowsDeleted.Select(r => (list, ExpiryRows.RowKey(r))).ToList(), cancellationToken);
    }

    /// <summary>The snapshot at the plan's version: the previous snapshot plus the deltas after it, never a scan of the entries.</summary>
    private async Task<Snapshot> BuildSnapshotAsync(ListName list, PlanDocument document, Delta last, CancellationToken cancellationToken)
    {
        var plan = document.Plan;
        var state = ListState.Empty(list);
        if (document.PreviousSnapshotVersion > 0)
        {
            var previous = await blobs.GetAsync(_names.ArtifactsContainer, ArtifactPaths.Snapshot(list, document.PreviousSnapshotVersion), cancellationToken)
                           ?? throw new InvalidOperationException($"snapshot {document.PreviousSnapshotVersion} of '{list}' is missing");
            state = ListState.FromSnapshot(Snapshot.FromGzip(previous.Content).Value).Value;
        }

        for (var v = state.Version + 1; v < plan.Version; v++)
        {
            var step = await blobs.GetAsync(_names.ArtifactsContainer, ArtifactPaths.Delta(list, v), cancellationToken)
                       ?? throw new InvalidOperationException($"delta {v} of '{list}' is missing");
            if (state.Apply(Delta.FromGzip(step.Content).Value) is { IsSuccess: false } failed)
            {
                throw new InvalidOperationException($"delta {v} of '{list}' does not apply: {failed.Error}");
            }
        }

        var applied = state.Apply(last);
        if (!applied.IsSuccess || state.StateHash != LtHash16.FromBytes(document.Checksum).Value.StateHash)
        {
            throw new InvalidOperationException($"the snapshot of '{list}' version {plan.Version} does not match its checksum: {applied.Error ?? "state hash differs"}");
        }

        return state.ToSnapshot();
    }

    /// <summary>A crash between the head commit and the current-manifest overwrite leaves the pointer behind; fix it first.</summary>
    private async Task RepairCurrentManifestAsync(string list, ListHead head, CancellationToken cancellationToken)
    {
        var version = head.Version;
        if (version == 0)
        {
            return;
        }

        var listName = ListName.Parse(list);
        await _hashed.RepairCurrentAsync(listName, version, FilesSignedBy, cancellationToken);
        var current = await blobs.GetAsync(_names.ArtifactsContainer, ArtifactPaths.CurrentManifest(listName), cancellationToken);
        if (current is not null && Sha256Hex(current.Content) == head.ManifestSha256)
        {
            return;
        }

        var versioned = await blobs.GetAsync(_names.ArtifactsContainer, ArtifactPaths.Manifest(listName, version), cancellationToken)
                        ?? throw new InvalidOperationException($"manifest {version} of '{list}' is missing");
        var keyId = Manifest.FromJson(versioned.Content).Value.KeyId;
        await FilesSignedBy(keyId).OverwriteAsync(_names.ArtifactsContainer, ArtifactPaths.CurrentManifest(listName), versioned.Content, "application/json", cancellationToken);
    }

    private SignedFiles FilesSignedBy(string keyId) =>
        new(blobs, keys.Find(keyId) ?? throw new InvalidOperationException($"a manifest is signed by key {keyId}, which Signing:Keys no longer configures"));

    /// <summary>
    /// Records the exact change set the guard stopped: the plan document (create-only, named by its digest) and the
    /// hold row pointing at it (create-only: the first publisher to hold a version fixes what the hold shows).
    /// </summary>
    private async Task HoldAsync(string list, PlanDocument document, CancellationToken cancellationToken)
    {
        var plan = document.Plan;
        var id = HoldId(list, plan.Version);
        var digest = ChangeSet.Digest(plan.Leaves);
        var planName = $"holds/{list}/{plan.Version.ToString("D12", CultureInfo.InvariantCulture)}-{digest}.json";
        await blobs.PutIfAbsentAsync(_names.WorkContainer, planName, document.ToJson(), "application/json", SignedFiles.NoCache, cancellationToken);
        var hold = new Hold(id, list, plan.Version, plan.Listed.Count, plan.Unlisted.Count, plan.Leaves.Count, plan.Count - plan.Listed.Count + plan.Unlisted.Count,
            plan.Created, HoldDesk.Held, digest, plan.ConsumedSubmissions);
        try
        {
            // the instance tells this hold from an earlier one of the same version and change set (kept pending after a rejection)
            await rows.AddAsync(_names.Holds, HoldRows.ToRow(new StoredHold(hold, planName, Guid.NewGuid().ToString("N"))), cancellationToken);
            logger.LogWarning("Held {List} version {Version}: {Changes} changes need an admin's approval (digest {Digest})", list, plan.Version, plan.ChangeCount, digest);
        }
        catch (RowConflictException)
        {
            // another publisher held this version first; its change set is the one shown
        }
    }

    // the report lagging behind never fails a publish: the next run (or the report route) catches up
    private async Task CountForReportAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Report is not null)
            {
                await Report.CatchUpAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Counting new log leaves into the report figures failed; the next run retries");
        }
    }

    /// <summary>A hold's id: the list and the version it would have published.</summary>
    public static string HoldId(string list, long version) => HoldRows.RowKey(list, version);

    private void Step(string list, string step) => faults?.AtStep(list, step);

    private TransparencyLogStore LogSignedBy(IArtifactSigner signer) => new(rows, new SignedFiles(blobs, signer), this, _names);

    /// <summary>The head of <paramref name="list"/> (with its ETag, for a claim), or null when no such list exists.</summary>
    internal async Task<ListHead?> HeadAsync(string list, CancellationToken cancellationToken) =>
        await rows.GetAsync(_names.Lists, ListHeadRows.Partition, list, cancellationToken) is { } row ? ListHeadRows.Read(row) : null;

    /// <summary>The stored state of an entry of a list (the <c>entries</c> row), or null.</summary>
    internal async Task<EntryState?> EntryAsync(string list, EntryId id, CancellationToken cancellationToken) =>
        await rows.GetAsync(_names.Entries, list, EntryRows.RowKey(id), cancellationToken) is { } row ? EntryRows.FromRow(id, row) : null;

    /// <summary>
    /// The list's state at <paramref name="version"/>, from the artifacts: the snapshot manifest <paramref name="version"/>
    /// names, then the deltas after it. O(list size); for rare operations (an emergency revert).
    /// </summary>
    internal async Task<ListState> StateAtAsync(ListName list, long version, CancellationToken cancellationToken)
    {
        var manifest = await blobs.GetAsync(_names.ArtifactsContainer, ArtifactPaths.Manifest(list, version), cancellationToken)
                       ?? throw new InvalidOperationException($"manifest {version} of '{list}' is missing");
        var snapshot = Manifest.FromJson(manifest.Content).Value.Snapshot;
        var state = ListState.Empty(list);
        if (snapshot is not null)
        {
            var bytes = await blobs.GetAsync(_names.ArtifactsContainer, ArtifactPaths.Snapshot(list, snapshot.Version), cancellationToken)
                        ?? throw new InvalidOperationException($"snapshot {snapshot.Version} of '{list}' is missing");
            state = ListState.FromSnapshot(Snapshot.FromGzip(bytes.Content).Value).Value;
        }

        for (var v = state.Version + 1; v <= version; v++)
        {
            var step = await blobs.GetAsync(_names.ArtifactsContainer, ArtifactPaths.Delta(list, v), cancellationToken)
                       ?? throw new InvalidOperationException($"delta {v} of '{list}' is missing");
            if (state.Apply(Delta.FromGzip(step.Content).Value) is { IsSuccess: false } failed)
            {
                throw new InvalidOperationException($"delta {v} of '{list}' does not apply: {failed.Error}");
            }
        }

        return state;
    }

    private static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
