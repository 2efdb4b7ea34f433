using System.Globalization;
using System.Security.Cryptography;
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

using ItemResult = BlocklistService.Functions.Ingest.ItemResult;
using PendingRows = BlocklistService.Functions.Ingest.PendingRows;
using SubmissionHead = BlocklistService.Functions.Ingest.SubmissionHead;
using SubmissionRows = BlocklistService.Functions.Ingest.SubmissionRows;

namespace BlocklistService.Functions.Tests.Publishing;

/// <summary>
/// Storage (in memory, or real tables and blobs on Azurite under a unique prefix), a signing key and a clock shared by
/// any number of publishers; journals like ingest does.
/// </summary>
public sealed class PublishWorld : IDisposable
{
    /// <summary>The backends every runner test runs on.</summary>
    public static TheoryData<string> Backends => new(BackendNames);

    public static readonly string[] BackendNames = ["memory", "azurite"];

    private PublishWorld(IRowStore rows, IBlobStore blobs)
    {
        Rows = rows;
        Blobs = blobs;
    }

    public IRowStore Rows { get; }
    public IBlobStore Blobs { get; }

    /// <summary>A world on <paramref name="backend"/>: "memory", or "azurite" (fresh tables and containers).</summary>
    public static async Task<PublishWorld> CreateAsync(string backend, AzuriteFixture storage)
    {
        if (backend == "memory")
        {
            return new PublishWorld(new MemoryRowStore(), new MemoryBlobStore());
        }

        var account = new PublishStorage(
            new TableServiceClient(storage.ConnectionString), new BlobServiceClient(storage.ConnectionString), Azurite.UniqueName("p")[..12]);
        await account.CreateAsync(new PublishStorageNames(), default);
        return new PublishWorld(account.Rows, account.Blobs);
    }

    /// <summary>Every row of a table.</summary>
    public async Task<IReadOnlyList<Row>> AllAsync(string table)
    {
        var rows = new List<Row>();
        await foreach (var row in Rows.QueryAllAsync(table, default))
        {
            rows.Add(row);
        }

        return rows;
    }
    public PemArtifactSigner Signer { get; } = PemArtifactSigner.Generate();
    public ManualTime Time { get; } = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    public PublishingOptions Options { get; } = new() { SnapshotEvery = 3, HoldMinimumChanges = 1000 };
    private int _submissions;

    public PublishRunner Runner(IPublishFaults? faults = null) =>
        new(Rows, Blobs, Signer, Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<PublishRunner>.Instance, null, faults);

    public async Task CreateListAsync(string list) =>
        await Rows.AddAsync(StorageNames.Lists, ListHeadRows.New(list), default);

    /// <summary>Journals a submission exactly as ingest does: item rows, the head, then one pending marker per list.</summary>
    public async Task<string> SubmitAsync(string hotline, params (string Action, string Expression, string List, int ReviewDays)[] items)
    {
        var id = $"sub{Interlocked.Increment(ref _submissions):D6}";
        var rows = items.Select((item, index) => SubmissionRows.ToRow(id, hotline, new Functions.Ingest.SubmittedItem
        {
            Index = index,
            Result = ItemResult.Accepted,
            Action = item.Action,
            Lists = [item.List],
            Expression = item.Expression,
            EntryId = EntryId.ForExpression(item.Expression).Hex,
            Scope = "exact",
            Category = "csam",
            Reference = $"{hotline}-{id}-{index}",
            VerifiedAt = Time.GetUtcNow().AddDays(-1),
            ReviewBy = Time.GetUtcNow().AddDays(item.ReviewDays),
        })).ToList();
        await Rows.UpsertAsync(SubmissionRows.Table, rows, default);
        await Rows.UpsertAsync(SubmissionRows.Table, [SubmissionRows.ToRow(new SubmissionHead
        {
            SubmissionId = id,
            Hotline = hotline,
            BodySha256 = string.Empty,
            Received = Time.GetUtcNow(),
            ItemCount = items.Length,
            Accepted = items.Length,
            Rejected = 0,
            Held = 0,
        })], default);
        await Rows.UpsertAsync(PendingRows.Table, items.Select(i => i.List).Distinct().Select(l => PendingRows.ToRow(l, id)).ToList(), default);
        Time.Advance(TimeSpan.FromSeconds(1));
        return id;
    }

    /// <summary>
    /// What a careful ISP does: follows the chain from version 1 to the current manifest, checking every signature,
    /// hash, the previous-manifest link and the state hash after each delta. Returns the listed expressions.
    /// </summary>
    public async Task<(long Version, IReadOnlySet<string> Expressions)> VerifyChainAsync(string list)
    {
        var name = ListName.Parse(list);
        var current = await SignedAsync(ArtifactPaths.CurrentManifest(name));
        var version = Manifest.FromJson(current).Value.Version;

        var state = ListState.Empty(name);
        string? previous = null;
        for (var v = 1L; v <= version; v++)
        {
            var bytes = await SignedAsync(ArtifactPaths.Manifest(name, v));
            var manifest = Manifest.FromJson(bytes).Value;
            Assert.Equal(v, manifest.Version);
            Assert.Equal(Signer.KeyId, manifest.KeyId);
            Assert.Equal(previous, manifest.PreviousManifestSha256);
            var delta = await SignedAsync(ArtifactPaths.Resolve(name, manifest.Delta.Path));
            Assert.True(manifest.Delta.Matches(delta));
            var applied = state.Apply(Delta.FromGzip(delta).Value);
            Assert.True(applied.IsSuccess, applied.Error);
            Assert.Equal(manifest.StateHash, state.StateHash);
            Assert.Equal(manifest.EntryCount, state.Count);
            if (manifest.Snapshot is { } snapshot && snapshot.Version == v)
            {
                var snapshotBytes = await SignedAsync(ArtifactPaths.Resolve(name, snapshot.Path));
                Assert.True(snapshot.File.Matches(snapshotBytes));
                var restored = ListState.FromSnapshot(Snapshot.FromGzip(snapshotBytes).Value).Value;
                Assert.Equal(state.StateHash, restored.StateHash);
            }

            previous = Sha256Hex(bytes);
        }

        Assert.Equal(previous, Sha256Hex(current));
        Assert.Null(await Blobs.GetAsync("artifacts", ArtifactPaths.Manifest(name, version + 1), default));
        return (version, state.Entries.Select(e => e.Expression).ToHashSet());
    }

    private async Task<byte[]> SignedAsync(string path)
    {
        var blob = await Blobs.GetAsync("artifacts", path, default) ?? throw new Xunit.Sdk.XunitException($"{path} missing");
        var signature = await Blobs.GetAsync("artifacts", path + ".sig", default) ?? throw new Xunit.Sdk.XunitException($"{path}.sig missing");
        using var verifier = SignatureVerifier.FromSpki([Signer.PublicKeySpki]);
        Assert.True(verifier.Verify(blob.Content, signature.Content, Signer.KeyId), $"{path} signature");
        return blob.Content;
    }

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public async Task<IReadOnlyList<Row>> PublicationsAsync(string submission) => (await AllAsync("publications")).Where(r => r.PartitionKey == submission).ToList();

    public static string Key(long version) => version.ToString("D12", CultureInfo.InvariantCulture);

    public void Dispose() => Signer.Dispose();
}
