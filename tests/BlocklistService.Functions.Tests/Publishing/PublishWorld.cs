using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Functions.Publishing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Tests.Publishing;

/// <summary>Storage, a signing key and a clock shared by any number of publishers; journals like ingest does.</summary>
public sealed class PublishWorld : IDisposable
{
    public MemoryRowStore Rows { get; } = new();
    public MemoryBlobStore Blobs { get; } = new();
    public EphemeralSigner Signer { get; } = new();
    public ManualTime Time { get; } = new(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero));
    public PublishingOptions Options { get; } = new() { SnapshotEvery = 3, HoldMinimumChanges = 1000 };
    private int _submissions;

    public PublishRunner Runner(IPublishFaults? faults = null) =>
        new(Rows, Blobs, Signer, Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<PublishRunner>.Instance, null, faults);

    public async Task CreateListAsync(string list) =>
        await Rows.AddAsync("lists", new Row("list", list, new Dictionary<string, object?> { ["Version"] = 0L, ["Count"] = 0L }), default);

    /// <summary>Journals a submission exactly as ingest does: item rows, the head, then one pending marker per list.</summary>
    public async Task<string> SubmitAsync(string hotline, params (string Action, string Expression, string List, int ReviewDays)[] items)
    {
        var id = $"sub{Interlocked.Increment(ref _submissions):D6}";
        var rows = items.Select((item, index) => new Row(id, $"item-{index:D5}", new Dictionary<string, object?>
        {
            ["Action"] = item.Action,
            ["Lists"] = JsonSerializer.Serialize(new[] { item.List }),
            ["Expression"] = item.Expression,
            ["EntryId"] = EntryId.ForExpression(item.Expression).Hex,
            ["Scope"] = "exact",
            ["Category"] = "csam",
            ["Reference"] = $"{hotline}-{id}-{index}",
            ["VerifiedAt"] = Time.GetUtcNow().AddDays(-1),
            ["ReviewBy"] = Time.GetUtcNow().AddDays(item.ReviewDays),
            ["Result"] = "accepted",
        })).ToList();
        await Rows.UpsertAsync("submissions", rows, default);
        await Rows.UpsertAsync("submissions", [new Row(id, "head", new Dictionary<string, object?> { ["Hotline"] = hotline, ["Created"] = Time.GetUtcNow() })], default);
        await Rows.UpsertAsync("pending", items.Select(i => i.List).Distinct().Select(l => new Row(l, id, new Dictionary<string, object?>())).ToList(), default);
        Time.Advance(TimeSpan.FromSeconds(1));
        return id;
    }

    /// <summary>
    /// What a careful ISP does: follows the chain from version 1 to the current manifest, checking every signature,
    /// hash, the previous-manifest link and the state hash after each delta. Returns the listed expressions.
    /// </summary>
    public async Task<(long Version, IReadOnlySet<string> Expressions)> VerifyChainAsync(string list)
    {
        var current = await Blobs.GetAsync("artifacts", ListArtifacts.CurrentManifestPath(list), default) ?? throw new Xunit.Sdk.XunitException("no current manifest");
        AssertSigned(ListArtifacts.CurrentManifestPath(list), current.Content, await Blobs.GetAsync("artifacts", ListArtifacts.CurrentManifestPath(list) + ".sig", default));
        using var currentDoc = JsonDocument.Parse(current.Content);
        var version = currentDoc.RootElement.GetProperty("version").GetInt64();

        var entries = new Dictionary<EntryId, Domain.Lists.ListEntry>();
        string? previous = null;
        var checksum = ListArtifacts.UpdateChecksum(null, [], []);
        for (var v = 1L; v <= version; v++)
        {
            var manifest = await SignedAsync(ListArtifacts.ManifestPath(list, v));
            using var doc = JsonDocument.Parse(manifest);
            var root = doc.RootElement;
            Assert.Equal(v, root.GetProperty("version").GetInt64());
            Assert.Equal(previous, root.GetProperty("previousManifestSha256").GetString());
            var delta = await SignedAsync(root.GetProperty("delta").GetProperty("path").GetString()!);
            Assert.Equal(root.GetProperty("delta").GetProperty("sha256").GetString(), ListArtifacts.Sha256Hex(delta));
            var before = entries.Keys.ToHashSet();
            ListArtifacts.ApplyDelta(entries, delta);
            checksum = ListArtifacts.UpdateChecksum(checksum, entries.Keys.Except(before), before.Except(entries.Keys));
            Assert.Equal(root.GetProperty("stateHash").GetString(), ListArtifacts.StateHash(checksum));
            Assert.Equal(root.GetProperty("entryCount").GetInt64(), entries.Count);
            if (root.GetProperty("snapshot").ValueKind == JsonValueKind.Object && root.GetProperty("snapshot").GetProperty("version").GetInt64() == v)
            {
                var snapshot = await SignedAsync(root.GetProperty("snapshot").GetProperty("path").GetString()!);
                Assert.Equal(entries.Keys.Select(k => k.Hex).Order().ToList(), ListArtifacts.ReadSnapshot(snapshot).Keys.Select(k => k.Hex).Order().ToList());
            }

            previous = ListArtifacts.Sha256Hex(manifest);
        }

        Assert.Equal(previous, ListArtifacts.Sha256Hex(current.Content));
        Assert.Null(await Blobs.GetAsync("artifacts", ListArtifacts.ManifestPath(list, version + 1), default));
        return (version, entries.Values.Select(e => e.Expression).ToHashSet());
    }

    private async Task<byte[]> SignedAsync(string path)
    {
        var blob = await Blobs.GetAsync("artifacts", path, default) ?? throw new Xunit.Sdk.XunitException($"{path} missing");
        AssertSigned(path, blob.Content, await Blobs.GetAsync("artifacts", path + ".sig", default));
        return blob.Content;
    }

    private void AssertSigned(string path, byte[] content, StoredBlob? signature)
    {
        Assert.NotNull(signature);
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Signer.PublicKeySpki.Span, out _);
        Assert.True(key.VerifyData(content, signature!.Content, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), $"{path} signature");
    }

    public IReadOnlyList<Row> Publications(string submission) => Rows.All("publications").Where(r => r.PartitionKey == submission).ToList();

    public static string Key(long version) => version.ToString("D12", CultureInfo.InvariantCulture);

    public void Dispose() => Signer.Dispose();
}
