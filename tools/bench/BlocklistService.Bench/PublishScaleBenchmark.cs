using System.Diagnostics;
using System.Globalization;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Data.Tables;
using BlocklistService.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlocklistService.Bench;

/// <summary>
/// Publishing one version of 10,000 changes (half adds, half removes) on a 10,000-entry list and on a 1,000,000-entry
/// list, on Azurite. The publisher's cost should follow the change, not the list: goal large/small ≤ 1.5.
/// Seeding: each list's head row (version, count, LtHash16 checksum over all its ids) and the entries and expiry rows of
/// exactly the entries the removes touch are written directly through the row store; the untouched entries exist only
/// in the checksum and count, which is all the publisher ever reads of them.
/// </summary>
public sealed class PublishScaleBenchmark : IBenchmark
{
    public string Name => "publish-scale";

    public string Description => "publish 10,000 changes on a 10k-entry list vs a 1M-entry list (Azurite); goal ratio <= 1.5";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var azurite = await Azurite.StartAsync(cancellationToken);
        var changes = context.Scaled(10_000);
        var smallSize = context.Scaled(10_000);
        var largeSize = context.Scaled(1_000_000);
        var small = await PublishOnceAsync(azurite, "small", smallSize, changes, context, cancellationToken);
        var large = await PublishOnceAsync(azurite, "large", largeSize, changes, context, cancellationToken);
        context.Report($"publish {changes} changes, {smallSize}-entry list", small.TotalMilliseconds, "ms");
        context.Report($"publish {changes} changes, {largeSize}-entry list", large.TotalMilliseconds, "ms");
        context.Ratio("large / small", large.TotalMilliseconds / small.TotalMilliseconds, 1.5, higherIsBetter: false);
    }

    private static async Task<TimeSpan> PublishOnceAsync(Azurite azurite, string list, int size, int changes, BenchmarkContext context, CancellationToken cancellationToken)
    {
        var storage = new PublishStorage(new TableServiceClient(azurite.ConnectionString), new BlobServiceClient(azurite.ConnectionString), Azurite.UniqueName("b")[..12]);
        var names = new PublishStorageNames();
        await storage.CreateAsync(names, cancellationToken);
        var rows = storage.Rows;
        var now = DateTimeOffset.UtcNow;
        var reviewBy = now.AddDays(60);

        // the list at version 1: `size` entries; the first changes/2 of them get real entry and expiry rows (they are removed)
        var listName = ListName.Parse(list);
        using var signer = PemArtifactSigner.Generate();
        var seed = Stopwatch.StartNew();
        var checksum = new LtHash16();
        var removed = new List<ListEntry>();
        for (var i = 0; i < size; i++)
        {
            var entry = ListEntry.Create($"{list}-{i}.example/", EntryScope.Exact, "csam");
            checksum.Add(entry.Id);
            if (i < changes / 2)
            {
                removed.Add(entry);
            }
        }

        await rows.UpsertAsync(names.Entries, removed.Select(e => EntryRows.ToRow(list, new Domain.Publishing.EntryState(
            e.Id, e.Expression, e.Scope, e.Category, [new Domain.Publishing.Backing("h1", "r", now.AddDays(-1), reviewBy, "seed", 0)], AddedIn: 1, RemovedIn: null))).ToList(), cancellationToken);
        // stands for version 1's current manifest, so the runner finds its pointer up to date
        var seedManifest = System.Text.Encoding.UTF8.GetBytes($"{{\"seed\":\"{list}\"}}");
        await storage.Blobs.OverwriteAsync(names.ArtifactsContainer, ArtifactPaths.CurrentManifest(listName), seedManifest, "application/json", "no-cache", cancellationToken);
        // and version 1's hashed manifest, so the hashed feed's chain continues instead of starting with a snapshot
        var hashedManifest = new Manifest
        {
            Feed = ListFeed.Hashed,
            List = listName,
            Version = 1,
            EntryCount = size,
            StateHash = checksum.StateHash,
            Created = now,
            Expires = now.AddDays(7),
            Delta = new ArtifactFile(ArtifactPaths.RelativeDelta(1), new string('0', 64), 20),
            Snapshot = new SnapshotReference(1, ArtifactPaths.RelativeSnapshot(1), new string('0', 64), 40L * size),
            PreviousManifestSha256 = null,
            KeyId = signer.KeyId,
            Log = new LogReference(0, new string('0', 64)),
        }.ToJson();
        await storage.Blobs.OverwriteAsync(names.ArtifactsContainer, ArtifactPaths.Resolve(listName, ListFeed.Hashed, ArtifactPaths.RelativeManifest(1)), hashedManifest, "application/json", "no-cache", cancellationToken);
        // a snapshot at version 1 is taken as given (not written), so version 2 is not due one: this measures the
        // per-version publish, not the periodic snapshot, whose cost is the list size by nature
        await rows.AddAsync(names.Lists, ListHeadRows.ToRow(new ListHead(
            list, Version: 1, EntryCount: size, checksum.ToBytes(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(seedManifest)),
            SnapshotVersion: 1, SnapshotSha256: new string('0', 64), SnapshotSize: 60L * size, DeltaBytesSinceSnapshot: 0, Published: now, PlanName: null)), cancellationToken);

        // the journal: changes/2 removes of seeded entries and changes/2 adds of new ones, in submissions of 100 items
        var items = removed.Select(e => ("remove", e.Expression)).Concat(Enumerable.Range(0, changes - removed.Count).Select(i => ("add", $"{list}-new-{i}.example/"))).ToList();
        var submission = 0;
        foreach (var chunk in items.Chunk(100))
        {
            var id = $"s{submission++:D6}";
            await rows.UpsertAsync(names.Submissions, chunk.Select((item, index) => Functions.Ingest.SubmissionRows.ToRow(id, "h1", new Functions.Ingest.SubmittedItem
            {
                Index = index,
                Result = Functions.Ingest.ItemResult.Accepted,
                Action = item.Item1,
                Lists = [list],
                Expression = item.Item2,
                EntryId = EntryId.ForExpression(item.Item2).Hex,
                Scope = "exact",
                Category = "csam",
                Reference = $"r-{id}-{index}",
                VerifiedAt = now.AddDays(-1),
                VerifiedBy = ["a1", "a2"],
                ReviewBy = reviewBy,
            })).ToList(), cancellationToken);
            await rows.UpsertAsync(names.Submissions, [Functions.Ingest.SubmissionRows.ToRow(new Functions.Ingest.SubmissionHead
            {
                SubmissionId = id, Hotline = "h1", BodySha256 = string.Empty, Received = now, ItemCount = chunk.Length, Accepted = chunk.Length, Rejected = 0, Held = 0,
            })], cancellationToken);
            await rows.UpsertAsync(names.Pending, [Functions.Ingest.PendingRows.ToRow(list, id)], cancellationToken);
        }

        context.Output.WriteLine($"  seeded {list}: {size} entries, {changes} journaled changes in {seed.Elapsed.TotalSeconds:N1} s");
        var options = Options.Create(new PublishingOptions { HoldShare = 1, HoldChanges = int.MaxValue, SnapshotEvery = 1_000_000 });
        var runner = new PublishRunner(rows, storage.Blobs, signer, options, TimeProvider.System, NullLogger<PublishRunner>.Instance, names);
        var timer = Stopwatch.StartNew();
        var result = await runner.PublishListAsync(list, cancellationToken);
        timer.Stop();
        if (result.Outcome != ListPublishOutcome.Published || result.Version != 2)
        {
            throw new InvalidOperationException($"{list}: expected version 2 published, got {result.Outcome} {result.Version}");
        }

        var head = ListHeadRows.Read((await rows.GetAsync(names.Lists, ListHeadRows.Partition, list, cancellationToken))!);
        if (head.EntryCount != size)
        {
            throw new InvalidOperationException($"{list}: count {head.EntryCount}, expected {size}");
        }

        return timer.Elapsed;
    }
}
