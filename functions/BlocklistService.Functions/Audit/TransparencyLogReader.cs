using System.Globalization;
using System.Text;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;

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
/// The read side of the transparency log as the publisher's <c>TransparencyLogStore</c> writes it (keys in
/// <see cref="LogLayout"/>): the head, leaves, tiles, the entry-history index, signed checkpoints and signed manifests.
/// Proofs are assembled from <see cref="MerkleTree"/> plans; the complete subtrees a plan names lie in a handful of
/// tiles (about two per 8 tree levels), read concurrently, so a proof at a million leaves costs 3–7 point reads.
/// </summary>
public sealed class TransparencyLogReader(AuditStorage storage)
{
    public const int LeavesPerPartition = LogLayout.LeavesPerPartition;
    public const string CurrentCheckpoint = LogLayout.CurrentCheckpoint;

    /// <summary>The log's size and root as the head row records them (size 0 and the empty root before any append).</summary>
    public async Task<(long Size, byte[] Root)> GetHeadAsync(CancellationToken cancellationToken)
    {
        var row = await storage.Rows.GetAsync(StorageNames.LogHead, LogLayout.HeadPartition, LogLayout.HeadRow, cancellationToken);
        return row is not null && LogLayout.FromHeadRow(row) is { Root.Length: 64 } head
            ? (head.Size, Convert.FromHexString(head.Root))
            : (0, MerkleHash.Empty());
    }

    /// <summary>Leaves with start ≤ index &lt; end that exist, in index order (a missing row simply does not appear).</summary>
    public async IAsyncEnumerable<StoredLeaf> GetLeavesAsync(long start, long end, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (start >= end)
        {
            yield break;
        }

        for (var bucket = start / LeavesPerPartition; bucket <= (end - 1) / LeavesPerPartition; bucket++)
        {
            var partition = LogLayout.LeafPartition(bucket * LeavesPerPartition);
            var from = Key(Math.Max(start, bucket * LeavesPerPartition));
            var to = Key(Math.Min(end, (bucket + 1) * LeavesPerPartition));
            await foreach (var row in storage.Rows.QueryAsync(StorageNames.LogLeaves, partition, from, to, cancellationToken))
            {
                if (LogLayout.LeafIndex(row) is { } index && LogLayout.LeafBytes(row) is { } bytes)
                {
                    yield return new StoredLeaf(index, bytes);
                }
            }
        }
    }

    /// <summary>One leaf, or null when its row is missing.</summary>
    public async Task<StoredLeaf?> GetLeafAsync(long index, CancellationToken cancellationToken)
    {
        var row = await storage.Rows.GetAsync(StorageNames.LogLeaves, LogLayout.LeafPartition(index), Key(index), cancellationToken);
        return row is not null && LogLayout.LeafBytes(row) is { } bytes ? new StoredLeaf(index, bytes) : null;
    }

    /// <summary>
    /// A lower bound on the index of any leaf of the first <paramref name="size"/> with publishedAt ≥ <paramref name="from"/>:
    /// the first index whose <c>PublishedThrough</c> (the latest publishedAt up to it, monotone) reaches
    /// <paramref name="from"/>, found by binary search in about log2(n) point reads. Every leaf before it was published
    /// earlier, so an export of a time range starts there instead of at leaf 0. A row without the property counts as
    /// reaching it (the search then only starts earlier).
    /// </summary>
    public async Task<long> FirstIndexPublishedFromAsync(DateTimeOffset from, long size, CancellationToken cancellationToken)
    {
        var (low, high) = (0L, size);
        while (low < high)
        {
            var middle = low + (high - low) / 2;
            var row = await storage.Rows.GetAsync(StorageNames.LogLeaves, LogLayout.LeafPartition(middle), Key(middle), cancellationToken);
            var through = row is null ? null : LogLayout.PublishedThrough(row);
            if (through is { } t && t < from)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>
    /// Point-reads tiles concurrently, each needing at least the given width (a wider copy answers too: a tile's
    /// first hashes never change); a missing or too narrow tile means a damaged log, or a size beyond the head.
    /// </summary>
    public async Task<IReadOnlyDictionary<TileCoordinate, byte[]>> GetTilesAsync(IReadOnlyDictionary<TileCoordinate, int> tiles, CancellationToken cancellationToken)
    {
        var reads = tiles.Select(async wanted =>
        {
            var (tile, width) = (wanted.Key, wanted.Value);
            var row = await storage.Rows.GetAsync(StorageNames.LogTiles, LogLayout.TilePartition(tile), Key(tile.Index), cancellationToken);
            var hashes = LogLayout.TileHashes(row);
            return hashes is not null && hashes.Length >= width * MerkleHash.Length
                ? (tile, hashes)
                : throw new InvalidOperationException($"log {tile} is missing or has fewer than {width} hashes");
        });
        return (await Task.WhenAll(reads)).ToDictionary(r => r.tile, r => r.hashes);
    }

    /// <summary>The root of the first <paramref name="size"/> leaves from its edge tiles.</summary>
    public async Task<byte[]> RootAtAsync(long size, CancellationToken cancellationToken)
    {
        if (size == 0)
        {
            return MerkleHash.Empty();
        }

        var plan = MerkleTree.RootPlan(size);
        var tiles = await GetTilesAsync(LogTiles.TilesFor(plan.Nodes), cancellationToken);
        return plan.Combine(node => LogTiles.NodeHash(node, tiles[LogTiles.TileOf(node)]));
    }

    /// <summary>RFC 6962 PATH(index, D[size]) from stored tiles.</summary>
    public Task<StoredProof> InclusionProofAsync(long index, long size, CancellationToken cancellationToken) =>
        ProofAsync(MerkleTree.InclusionPlan(index, size), cancellationToken);

    /// <summary>RFC 6962 PROOF(first, D[second]) from stored tiles.</summary>
    public Task<StoredProof> ConsistencyProofAsync(long first, long second, CancellationToken cancellationToken) =>
        ProofAsync(MerkleTree.ConsistencyPlan(first, second), cancellationToken);

    /// <summary>The indexes of every committed leaf about <paramref name="id"/>, in log order (the <c>loghistory</c> index).</summary>
    public async Task<IReadOnlyList<long>> HistoryIndexesAsync(EntryId id, CancellationToken cancellationToken)
    {
        // rows of a batch still being appended may already exist; only leaves the head covers are history
        var head = GetHeadAsync(cancellationToken);
        var indexes = new List<long>();
        var (from, to) = LogLayout.HistoryRange(id.Hex);
        await foreach (var row in storage.Rows.QueryAsync(StorageNames.LogHistory, LogLayout.HistoryPartition(id.Hex), from, to, cancellationToken))
        {
            indexes.AddRange(LogLayout.HistoryIndexes(row));
        }

        var (size, _) = await head;
        return indexes.Where(i => i < size).Order().Distinct().ToList();
    }

    /// <summary>Every committed leaf about <paramref name="id"/>, oldest first: one index query, then the leaves read concurrently.</summary>
    public async Task<IReadOnlyList<StoredLeaf>> HistoryAsync(EntryId id, CancellationToken cancellationToken)
    {
        var indexes = await HistoryIndexesAsync(id, cancellationToken);
        var leaves = new List<StoredLeaf>(indexes.Count);
        foreach (var chunk in indexes.Chunk(16))
        {
            leaves.AddRange((await Task.WhenAll(chunk.Select(index => GetLeafAsync(index, cancellationToken)))).OfType<StoredLeaf>());
        }

        return leaves;
    }

    /// <summary>The signed checkpoint of <paramref name="size"/> (or the current one when null); null when none exists.</summary>
    public Task<SignedBlob?> GetCheckpointAsync(long? size, CancellationToken cancellationToken) =>
        GetSignedAsync(StorageNames.LogContainer, size is { } s ? LogLayout.CheckpointAt(s) : CurrentCheckpoint, cancellationToken);

    /// <summary>The signed versioned manifest of a list, or null when that version does not exist.</summary>
    public Task<SignedBlob?> GetManifestAsync(ListName list, long version, CancellationToken cancellationToken) =>
        GetSignedAsync(StorageNames.ArtifactsContainer, ArtifactPaths.Manifest(list, version), cancellationToken);

    private async Task<SignedBlob?> GetSignedAsync(string container, string name, CancellationToken cancellationToken)
    {
        var content = await storage.Blobs.GetAsync(container, name, cancellationToken);
        var signature = content is null ? null : await storage.Blobs.GetAsync(container, ArtifactPaths.Signature(name), cancellationToken);
        return content is null || signature is null ? null : new SignedBlob(content.Content, signature.Content);
    }

    /// <summary>Reads the distinct tiles a proof's nodes lie in (one read each, concurrently) and assembles it.</summary>
    private async Task<StoredProof> ProofAsync(ProofPlan plan, CancellationToken cancellationToken)
    {
        var tiles = await GetTilesAsync(LogTiles.TilesFor(plan.Nodes), cancellationToken);
        return new StoredProof(plan.Assemble(node => LogTiles.NodeHash(node, tiles[LogTiles.TileOf(node)])), tiles.Count);
    }

    internal static string Key(long value) => LogLayout.Key(value);
}
