using System.Security.Cryptography;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Publishing;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Data.Tables;

namespace BlocklistService.Functions.Tests.Audit;

/// <summary>
/// Publishes list versions into Azurite the way the publisher's execute step does: the version's leaves through the
/// real <see cref="TransparencyLogStore"/> (leaves, subtree hashes, entry history, signed checkpoints), then a signed
/// manifest naming the log size and root after them and the state hash of what the list holds.
/// </summary>
public sealed class AuditLogWorld : ILogBatchSource, IDisposable
{
    private readonly Dictionary<string, IReadOnlyList<byte[]>> _plans = [];
    private readonly Dictionary<string, (long Version, string? ManifestSha)> _lists = [];

    public AuditLogWorld(string connectionString, string prefix)
    {
        Storage = new PublishStorage(new TableServiceClient(connectionString), new BlobServiceClient(connectionString), prefix);
        Files = new SignedFiles(Storage.Blobs, Signer);
        Log = new TransparencyLogStore(Storage.Rows, Files, this, new PublishStorageNames());
    }

    public PemArtifactSigner Signer { get; } = PemArtifactSigner.Generate();

    /// <summary>The publisher's own storage adapters over Azurite.</summary>
    public PublishStorage Storage { get; }

    /// <summary>Creates the log's tables and containers; call once before publishing.</summary>
    public Task CreateAsync() => Storage.CreateAsync(new PublishStorageNames(), default);

    public SignedFiles Files { get; }

    public TransparencyLogStore Log { get; }

    public DateTimeOffset Now { get; set; } = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Every leaf appended so far, in log order.</summary>
    public List<byte[]> Leaves { get; } = [];

    /// <summary>Publishes the next version of <paramref name="list"/> with these changes; <paramref name="listedAfter"/> is what the list then holds.</summary>
    public async Task<LogBatch> PublishAsync(string list, IReadOnlyList<LogLeaf> changes, IReadOnlyCollection<string> listedAfter)
    {
        var (previousVersion, previousSha) = _lists.GetValueOrDefault(list);
        var version = previousVersion + 1;
        var leaves = changes.Select(c => (c with { Version = version, PublishedAt = Now }).ToJson()).ToList();
        var plan = $"plans/{list}/{version}.json";
        _plans[plan] = leaves;
        var batch = await Log.AppendBatchAsync(list, version, plan, leaves, Now, default);
        Leaves.AddRange(leaves);
        var name = ListName.Parse(list);
        var manifest = new Manifest
        {
            List = name,
            Version = version,
            EntryCount = listedAfter.Count,
            StateHash = LtHash16.StateHashOf(listedAfter.Select(EntryId.ForExpression)),
            Created = Now,
            Expires = Now.AddDays(7),
            Delta = ArtifactFile.Describe(ArtifactPaths.RelativeDelta(version), [.. System.Text.Encoding.UTF8.GetBytes($"delta {list} {version}"), .. leaves.SelectMany(l => l)]),
            Snapshot = null,
            PreviousManifestSha256 = previousSha,
            KeyId = Signer.KeyId,
            Log = new LogReference(batch.Size, batch.Root),
        }.ToJson();
        await Files.WriteImmutableAsync("artifacts", ArtifactPaths.Manifest(name, version), manifest, "application/json", default);
        _lists[list] = (version, Convert.ToHexStringLower(SHA256.HashData(manifest)));
        Now = Now.AddMinutes(5);
        return batch;
    }

    /// <summary>A change about <paramref name="expression"/> (version and time are filled in when published).</summary>
    public static LogLeaf Change(LogLeafKind kind, string list, string expression, string hotline, string reference = "ref-1") => new()
    {
        Kind = kind,
        List = ListName.Parse(list),
        Version = 1,
        EntryId = EntryId.ForExpression(expression),
        Expression = expression,
        Scope = EntryScope.Exact,
        Category = "csam",
        Hotline = hotline,
        Reference = reference,
        VerifiedAt = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero),
        VerifiedBy = ["analyst-2", "analyst-1"],
        ReviewBy = kind == LogLeafKind.Add ? new DateTimeOffset(2027, 5, 20, 0, 0, 0, TimeSpan.Zero) : null,
        Submission = kind == LogLeafKind.Expire ? null : "sub-" + reference,
        Reason = kind == LogLeafKind.Expire ? "review-by passed" : null,
        PublishedAt = DateTimeOffset.UnixEpoch,
    };

    /// <summary>
    /// A small but complete history: two lists, two hotlines backing one entry, a withdrawal that keeps it listed,
    /// a removal, an empty refresh version and an expiry. 8 leaves; eu at version 5, uk at version 1.
    /// </summary>
    public async Task SeedStoryAsync()
    {
        await PublishAsync("eu", [Change(LogLeafKind.Add, "eu", A, "h1", "r1"), Change(LogLeafKind.Add, "eu", B, "h1", "r2")], [A, B]);
        await PublishAsync("eu", [Change(LogLeafKind.Add, "eu", C, "h2", "r3"), Change(LogLeafKind.Add, "eu", A, "h2", "r4")], [A, B, C]);
        await PublishAsync("uk", [Change(LogLeafKind.Add, "uk", D, "h2", "r5")], [D]);
        await PublishAsync("eu", [Change(LogLeafKind.Remove, "eu", B, "h1", "r6"), Change(LogLeafKind.Withdraw, "eu", A, "h1", "r7")], [A, C]);
        await PublishAsync("eu", [], [A, C]);
        await PublishAsync("eu", [Change(LogLeafKind.Expire, "eu", C, "h2", "r3")], [A]);
    }

    public const string A = "abuse.example/a/1.html";
    public const string B = "abuse.example/b/";
    public const string C = "other.example/c.jpg";
    public const string D = "uk.example/d?x=1";

    public Task<IReadOnlyList<byte[]>> LeavesAsync(string list, long version, string planName, CancellationToken cancellationToken) =>
        Task.FromResult(_plans[planName]);

    public void Dispose() => Signer.Dispose();
}
