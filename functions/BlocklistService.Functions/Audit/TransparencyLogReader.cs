using System.Globalization;
using System.Text;
using Azure;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Stores;
using BlocklistService.Storage.Tables;

namespace BlocklistService.Functions.Audit;

/// <summary>One stored leaf: its index and exact canonical bytes.</summary>
public sealed record StoredLeaf(long Index, byte[] Bytes)
{
    public string Text => Encoding.UTF8.GetString(Bytes);

    public byte[] LeafHash() => MerkleHash.Leaf(Bytes);
}

/// <summary>A signed file as stored: its exact bytes and detached DER signature.</summary>
public sealed record SignedBlob(byte[] Content, byte[] Signature);

/// <summary>Proof hashes and how many storage reads it took to assemble them.</summary>
public sealed record StoredProof(IReadOnlyList<byte[]> Hashes, int StorageReads);

/// <summary>
/// The read side of the transparency log as the publisher's <c>TransparencyLogStore</c> writes it: the head, leaves,
/// complete-subtree hashes, the entry-history index, signed checkpoints and signed manifests. Proofs are assembled
/// from <see cref="MerkleTree"/> plans, so each costs one point read per distinct complete subtree (O(log n)).
/// </summary>
public sealed class TransparencyLogReader(AuditStorage storage)
{
    public const int LeavesPerPartition = 1024;
    public const string CheckpointsFolder = "checkpoints/";
    public const string CurrentCheckpoint = "checkpoint.json";

    /// <summary>The log's size and root as the head row records them (size 0 and the empty root before any append).</summary>
    public async Task<(long Size, byte[] Root)> GetHeadAsync(CancellationToken cancellationToken)
    {
        var head = await storage.Table(StorageNames.LogHead).GetEntityIfExistsAsync("log", "head", null, cancellationToken);
        return head.HasValue && head.Value!.GetString("Root") is { Length: 64 } root
            ? (head.Value.GetInt64("Size") ?? 0, Convert.FromHexString(root))
            : (0, MerkleHash.Empty());
    }

    /// <summary>Leaves with start ≤ index &lt; end that exist, in index order (a missing row simply does not appear).</summary>
    public async IAsyncEnumerable<StoredLeaf> GetLeavesAsync(long start, long end, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (start >= end)
        {
            yield break;
        }

        var table = storage.Table(StorageNames.LogLeaves);
        for (var bucket = start / LeavesPerPartition; bucket <= (end - 1) / LeavesPerPartition; bucket++)
        {
            var partition = $"leaves-{bucket}";
            var from = Key(Math.Max(start, bucket * LeavesPerPartition));
            var to = Key(Math.Min(end, (bucket + 1) * LeavesPerPartition));
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {to}");
            await foreach (var row in table.QueryAsync(filter, maxPerPage: 1000, select: ["RowKey", "Leaf"], cancellationToken))
            {
                if (long.TryParse(row.RowKey, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && row.GetString("Leaf") is { } text)
                {
                    yield return new StoredLeaf(index, Encoding.UTF8.GetBytes(text));
                }
            }
        }
    }

    /// <summary>One leaf, or null when its row is missing.</summary>
    public async Task<StoredLeaf?> GetLeafAsync(long index, CancellationToken cancellationToken)
    {
        var row = await storage.Table(StorageNames.LogLeaves).GetEntityIfExistsAsync($"leaves-{index / LeavesPerPartition}", Key(index), null, cancellationToken);
        return row.HasValue && row.Value!.GetString("Leaf") is { } text ? new StoredLeaf(index, Encoding.UTF8.GetBytes(text)) : null;
    }

    /// <summary>Point-reads the given complete-subtree hashes concurrently; a missing node means a damaged log.</summary>
    public async Task<IReadOnlyDictionary<NodeCoordinate, byte[]>> GetNodesAsync(IReadOnlyCollection<NodeCoordinate> coordinates, CancellationToken cancellationToken)
    {
        var table = storage.Table(StorageNames.LogNodes);
        var reads = coordinates.Distinct().Select(async coordinate =>
        {
            var row = await table.GetEntityIfExistsAsync($"level-{coordinate.Level}", Key(coordinate.Index), ["Hash"], cancellationToken);
            var hex = row.HasValue ? row.Value!.GetString("Hash") : null;
            return (coordinate, hash: hex is { Length: 64 } ? Convert.FromHexString(hex) : throw new InvalidOperationException($"log node {coordinate} is missing"));
        });
        return (await Task.WhenAll(reads)).ToDictionary(r => r.coordinate, r => r.hash);
    }

    /// <summary>The root of the first <paramref name="size"/> leaves from stored subtree hashes.</summary>
    public async Task<byte[]> RootAtAsync(long size, CancellationToken cancellationToken)
    {
        if (size == 0)
        {
            return MerkleHash.Empty();
        }

        var plan = MerkleTree.RootPlan(size);
        var nodes = await GetNodesAsync(plan.Nodes, cancellationToken);
        return plan.Combine(c => nodes[c]);
    }

    /// <summary>RFC 6962 PATH(index, D[size]) from stored subtree hashes.</summary>
    public async Task<StoredProof> InclusionProofAsync(long index, long size, CancellationToken cancellationToken)
    {
        var plan = MerkleTree.InclusionPlan(index, size);
        var nodes = plan.Nodes;
        return new StoredProof(plan.Assemble(await GetNodesAsync(nodes, cancellationToken)), nodes.Count);
    }

    /// <summary>RFC 6962 PROOF(first, D[second]) from stored subtree hashes.</summary>
    public async Task<StoredProof> ConsistencyProofAsync(long first, long second, CancellationToken cancellationToken)
    {
        var plan = MerkleTree.ConsistencyPlan(first, second);
        var nodes = plan.Nodes;
        return new StoredProof(plan.Assemble(await GetNodesAsync(nodes, cancellationToken)), nodes.Count);
    }

    /// <summary>The indexes of every leaf about <paramref name="id"/>, in log order (the <c>entryhistory</c> index).</summary>
    public async Task<IReadOnlyList<long>> HistoryIndexesAsync(EntryId id, CancellationToken cancellationToken)
    {
        var indexes = new List<long>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {id.Hex}");
        await foreach (var row in storage.Table(AuditStorage.EntryHistory).QueryAsync(filter, maxPerPage: 1000, select: ["RowKey"], cancellationToken))
        {
            if (long.TryParse(row.RowKey, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                indexes.Add(index);
            }
        }

        indexes.Sort();
        return indexes;
    }

    /// <summary>The signed checkpoint of <paramref name="size"/> (or the current one when null); null when none exists.</summary>
    public Task<SignedBlob?> GetCheckpointAsync(long? size, CancellationToken cancellationToken) =>
        GetSignedAsync(StorageNames.LogContainer, size is { } s ? string.Create(CultureInfo.InvariantCulture, $"{CheckpointsFolder}{s}.json") : CurrentCheckpoint, cancellationToken);

    /// <summary>The signed versioned manifest of a list, or null when that version does not exist.</summary>
    public Task<SignedBlob?> GetManifestAsync(ListName list, long version, CancellationToken cancellationToken) =>
        GetSignedAsync(StorageNames.ArtifactsContainer, ArtifactPaths.Manifest(list, version), cancellationToken);

    private async Task<SignedBlob?> GetSignedAsync(string container, string name, CancellationToken cancellationToken)
    {
        var client = storage.Container(container);
        var content = await DownloadAsync(client.GetBlobClient(name), cancellationToken);
        var signature = content is null ? null : await DownloadAsync(client.GetBlobClient(ArtifactPaths.Signature(name)), cancellationToken);
        return content is null || signature is null ? null : new SignedBlob(content, signature);
    }

    private static async Task<byte[]?> DownloadAsync(Storage.Blobs.BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    internal static string Key(long value) => value.ToString("D12", CultureInfo.InvariantCulture);
}
