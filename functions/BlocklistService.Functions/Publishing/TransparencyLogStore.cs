using System.Text.Json;
using BlocklistService.Domain.Transparency;
using BlocklistService.Domain.Publishing;

namespace BlocklistService.Functions.Publishing;

/// <summary>Where one version's leaves sit in the log, and the log's size and root right after them.</summary>
public sealed record LogBatch(string List, long Version, long Start, long Count, long Size, string Root);

/// <summary>The log's size and root (lowercase hex).</summary>
public sealed record LogHead(long Size, string Root);

/// <summary>Finds the leaves of a batch another publisher started, from its plan.</summary>
public interface ILogBatchSource
{
    Task<IReadOnlyList<byte[]>> LeavesAsync(string list, long version, string planName, CancellationToken cancellationToken);
}

/// <summary>
/// The append-only RFC 6962 transparency log over Table Storage. Leaves live in <c>logleaves</c>, the tree's hashes
/// as tiles of height 8 in <c>logtiles</c> (so a root or proof reads a handful of tiles, and an append of k leaves
/// writes about k/256 of them), each entry's leaf indexes in <c>loghistory</c>, and the size, root and any batch in
/// progress in the single <c>loghead</c> row, whose ETag serialises appends across all lists. A batch
/// is first announced in the head, then written, then committed; whoever finds an announced batch completes it
/// (from its plan) before starting its own, so a crash anywhere resumes to the same log.
/// </summary>
public sealed class TransparencyLogStore(IRowStore rows, SignedFiles files, ILogBatchSource source, PublishStorageNames names)
{
    /// <summary>Transactions or tile writes of one append in flight at a time.</summary>
    private const int Parallelism = 8;

    /// <summary>
    /// The <c>logbatches</c> partition (and <see cref="LogBatch.List"/>) of decision batches: no list name starts with '~'.
    /// A decision's batch row key is its decision id, and its "plan" is the decision's leaf stored under
    /// <see cref="DecisionPlanPrefix"/> in the work container, from which any publisher can complete it.
    /// </summary>
    public const string DecisionBatches = "~decision";

    /// <summary>Where a decision's leaf is stored (work container) before it is appended.</summary>
    public const string DecisionPlanPrefix = "decisions/";

    /// <summary>Appends a version's leaves once; a repeated call (same list and version) returns the recorded batch.</summary>
    public Task<LogBatch> AppendBatchAsync(string list, long version, string planName, IReadOnlyList<byte[]> leaves, DateTimeOffset at, CancellationToken cancellationToken) =>
        AppendAsync(new BatchKey(list, version, Key(version)), planName, leaves, at, cancellationToken);

    /// <summary>
    /// Appends one decision leaf (<c>blocklist-decision/1</c>) as its own batch, once per <paramref name="decisionId"/>:
    /// a repeated call returns the recorded batch. The leaf must already be stored at <paramref name="planName"/>.
    /// </summary>
    public Task<LogBatch> AppendDecisionAsync(string decisionId, string planName, byte[] leaf, DateTimeOffset at, CancellationToken cancellationToken) =>
        AppendAsync(new BatchKey(DecisionBatches, 0, decisionId), planName, [leaf], at, cancellationToken);

    /// <summary>Where a decision's leaf sits, once appended.</summary>
    public Task<LogBatch?> GetDecisionBatchAsync(string decisionId, CancellationToken cancellationToken) =>
        GetBatchAsync(new BatchKey(DecisionBatches, 0, decisionId), cancellationToken);

    private async Task<LogBatch> AppendAsync(BatchKey key, string planName, IReadOnlyList<byte[]> leaves, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var (list, version) = (key.List, key.Version);
        while (true)
        {
            // The head first, then the batch row: a batch row is written before its head commit, so a batch that is
            // not recorded yet commits after this read and changes the head's ETag, and announcing it again below
            // fails. Checking the batch first would let a publisher that finished the same batch in between go
            // unnoticed, and its leaves would be appended twice. A batch the head still names as pending is completed
            // even when its batch row exists (a publisher stopped between the two), so no caller goes on to publish a
            // manifest naming a log size the head does not have yet.
            var head = await ReadHeadAsync(cancellationToken);
            if (head?.Pending is { } pending)
            {
                var pendingLeaves = pending.List == list && pending.Version == version && pending.Plan == planName && pending.BatchRow == key.Row
                    ? leaves
                    : await source.LeavesAsync(pending.List, pending.Version, pending.Plan, cancellationToken);
                await CompleteAsync(head, pending, pendingLeaves, cancellationToken);
                continue;
            }

            if (await GetBatchAsync(key, cancellationToken) is { } done)
            {
                return done;
            }

            var size = head?.Size ?? 0;
            var root = head?.Root ?? LogLayout.EmptyRoot;
            if (leaves.Count == 0)
            {
                // nothing to append: record where the log stood, create-only so every executor agrees
                try
                {
                    await rows.AddAsync(names.LogBatches, BatchRow(key, size, 0, size, root), cancellationToken);
                }
                catch (RowConflictException)
                {
                }

                continue;
            }

            var announced = LogLayout.ToRow(new LogHeadState(size, root, new PendingLogBatch(list, version, planName, key.Row, size, leaves.Count, at), head?.MaxPublishedAt));
            try
            {
                if (head is null)
                {
                    await rows.AddAsync(names.LogHead, announced, cancellationToken);
                }
                else
                {
                    await rows.UpdateAsync(names.LogHead, announced, head.ETag, cancellationToken);
                }
            }
            catch (RowConflictException)
            {
                // another list's publisher announced first: complete its batch, then try again
            }
        }
    }

    /// <summary>The log's current size and root.</summary>
    public async Task<LogHead> GetHeadAsync(CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(cancellationToken);
        return new LogHead(head?.Size ?? 0, head?.Root ?? LogLayout.EmptyRoot);
    }

    private async Task<LogHeadState?> ReadHeadAsync(CancellationToken cancellationToken) =>
        await rows.GetAsync(names.LogHead, LogLayout.HeadPartition, LogLayout.HeadRow, cancellationToken) is { } row ? LogLayout.FromHeadRow(row) : null;

    /// <summary>Where a version's leaves sit, once its batch is complete.</summary>
    public Task<LogBatch?> GetBatchAsync(string list, long version, CancellationToken cancellationToken) =>
        GetBatchAsync(new BatchKey(list, version, Key(version)), cancellationToken);

    private async Task<LogBatch?> GetBatchAsync(BatchKey key, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(names.LogBatches, key.List, key.Row, cancellationToken);
        return row is null ? null : LogLayout.FromBatchRow(row, key.Version);
    }

    /// <summary>Leaves <paramref name="start"/> … <paramref name="start"/>+<paramref name="count"/>-1 (canonical bytes), as far as they exist.</summary>
    public async Task<IReadOnlyList<byte[]>> GetLeavesAsync(long start, int count, CancellationToken cancellationToken)
    {
        var result = new List<byte[]>(count);
        var end = start + count;
        for (var bucket = start / LogLayout.LeavesPerPartition; bucket <= (end - 1) / LogLayout.LeavesPerPartition; bucket++)
        {
            var from = Math.Max(start, bucket * LogLayout.LeavesPerPartition);
            var to = Math.Min(end, (bucket + 1) * LogLayout.LeavesPerPartition);
            await foreach (var row in rows.QueryAsync(names.LogLeaves, LogLayout.LeafPartition(from), Key(from), Key(to), cancellationToken))
            {
                result.Add(LogLayout.LeafBytes(row) ?? throw new InvalidOperationException($"log leaf row {row.RowKey} has no leaf"));
            }
        }

        return result;
    }

    /// <summary>The stored bottom row of a tile (32 bytes per hash), or null if it was never written.</summary>
    public async Task<byte[]?> GetTileAsync(TileCoordinate tile, CancellationToken cancellationToken) =>
        LogLayout.TileHashes(await rows.GetAsync(names.LogTiles, LogLayout.TilePartition(tile), Key(tile.Index), cancellationToken));

    /// <summary>The root of the first <paramref name="size"/> leaves, from its edge tiles (at most one per 8 tree levels).</summary>
    public async Task<byte[]> RootAtAsync(long size, CancellationToken cancellationToken)
    {
        var tiles = await ReadTilesAsync(LogTiles.EdgeTiles(size), cancellationToken);
        return LogTiles.Root(size, tile => LogLayout.TileHashes(tiles[tile]) ?? throw new InvalidOperationException($"log {tile} is missing"));
    }

    private async Task<Dictionary<TileCoordinate, Row?>> ReadTilesAsync(IEnumerable<TileCoordinate> tiles, CancellationToken cancellationToken)
    {
        var reads = tiles.Select(async tile => (tile, row: await rows.GetAsync(names.LogTiles, LogLayout.TilePartition(tile), Key(tile.Index), cancellationToken)));
        return (await Task.WhenAll(reads)).ToDictionary(r => r.tile, r => r.row);
    }

    private async Task CompleteAsync(LogHeadState head, PendingLogBatch pending, IReadOnlyList<byte[]> leaves, CancellationToken cancellationToken)
    {
        var (list, version, start, count, at) = (pending.List, pending.Version, pending.Start, pending.Count, pending.At);
        var key = new BatchKey(list, version, pending.BatchRow);
        if (leaves.Count != count)
        {
            throw new InvalidOperationException($"log batch {list}/{version} announced {count} leaves but its plan has {leaves.Count}");
        }

        // every leaf row carries the latest publishedAt of all leaves up to it: monotone in the index even where
        // publishedAt is not (a plan held for approval, or planned before another list's that was appended first),
        // so an export can binary-search where a time range starts
        var parsed = Parse(start, leaves);
        var through = head.MaxPublishedAt ?? DateTimeOffset.MinValue;
        var leafRows = new List<Row>(leaves.Count);
        for (var i = 0; i < leaves.Count; i++)
        {
            var index = start + i;
            through = parsed[i].At > through ? parsed[i].At : through;
            leafRows.Add(LogLayout.LeafRow(index, leaves[i], list, version, through));
        }

        // the edge tiles of the tree before the batch: the only stored hashes an append reads
        var edge = await ReadTilesAsync(LogTiles.EdgeTiles(start), cancellationToken);
        byte[] EdgeTile(TileCoordinate tile) => LogLayout.TileHashes(edge[tile]) ?? throw new InvalidOperationException($"log {tile} is missing");
        var before = Convert.ToHexStringLower(LogTiles.Root(start, EdgeTile));
        if (before != head.Root)
        {
            // everything appended builds on the edge tiles: refuse to extend a log whose stored edge is damaged
            throw new InvalidOperationException($"the log's edge tiles at size {start} give root {before}, not the committed {head.Root}; {string.Join(", ", edge.Keys)} damaged?");
        }

        var changed = LogTiles.Append(start, leaves.Select(leaf => MerkleHash.Leaf(leaf)).ToList(), EdgeTile);

        // leaves, history and tiles are independent, idempotent and all written before the head commit below
        await Task.WhenAll(
            UpsertConcurrentlyAsync(names.LogLeaves, leafRows, cancellationToken),
            UpsertConcurrentlyAsync(names.LogHistory, HistoryRows(start, parsed), cancellationToken),
            WriteTilesAsync(changed, edge, cancellationToken));

        var size = start + count;
        var after = changed.ToDictionary(c => c.Tile, c => c.Hashes);
        var root = Convert.ToHexStringLower(LogTiles.Root(size, tile => after.TryGetValue(tile, out var hashes) ? hashes : LogLayout.TileHashes(edge[tile])!));
        var checkpoint = new Checkpoint(size, root, at, files.KeyId).ToJson();
        await files.WriteImmutableAsync(names.LogContainer, LogLayout.CheckpointAt(size), checkpoint, "application/json", cancellationToken);
        await rows.UpsertAsync(names.LogBatches, [BatchRow(key, start, count, size, root)], cancellationToken);

        try
        {
            var committed = new LogHeadState(size, root, Pending: null, through == DateTimeOffset.MinValue ? null : through);
            await rows.UpdateAsync(names.LogHead, LogLayout.ToRow(committed), head.ETag, cancellationToken);
            await files.OverwriteAsync(names.LogContainer, LogLayout.CurrentCheckpoint, checkpoint, "application/json", cancellationToken);
        }
        catch (RowConflictException)
        {
            // another publisher committed the same batch first
        }
    }

    /// <summary>
    /// Writes the tiles an append changed. Tiles created full by this append are upserted in transactions: their
    /// hashes follow from the announced leaves alone, so every writer writes the same bytes. Every other tile (a
    /// partial one, or an edge tile this append completes) only ever grows: it is written with If-Match on the copy
    /// read (create-only when there was none), and a writer that loses re-reads it and stops once the stored copy is
    /// at least as wide — so a slow publisher still finishing an older batch can never shrink a tile a later batch
    /// widened. Either way the overlap with what is stored must agree, or the log is damaged and the append stops.
    /// </summary>
    private async Task WriteTilesAsync(IReadOnlyList<(TileCoordinate Tile, byte[] Hashes)> changed, IReadOnlyDictionary<TileCoordinate, Row?> edge, CancellationToken cancellationToken)
    {
        var full = changed.Where(c => c.Hashes.Length == LogTiles.Width * MerkleHash.Length && !edge.ContainsKey(c.Tile)).ToList();
        var growing = changed.Except(full).ToList();
        await Task.WhenAll(
            UpsertConcurrentlyAsync(names.LogTiles, full.Select(c => LogLayout.TileRow(c.Tile, c.Hashes)).ToList(), cancellationToken),
            Parallel.ForEachAsync(growing, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (tile, token) => await GrowTileAsync(tile.Tile, tile.Hashes, edge.GetValueOrDefault(tile.Tile), token)));
    }

    private async Task GrowTileAsync(TileCoordinate tile, byte[] hashes, Row? stored, CancellationToken cancellationToken)
    {
        var row = LogLayout.TileRow(tile, hashes);
        while (true)
        {
            if (LogLayout.TileHashes(stored) is { } existing)
            {
                var overlap = Math.Min(existing.Length, hashes.Length);
                if (!existing.AsSpan(0, overlap).SequenceEqual(hashes.AsSpan(0, overlap)))
                {
                    throw new InvalidOperationException($"log {tile} holds other hashes than the log's leaves give; refusing to overwrite it");
                }

                if (existing.Length >= hashes.Length)
                {
                    return;
                }
            }

            try
            {
                if (stored is null)
                {
                    await rows.AddAsync(names.LogTiles, row, cancellationToken);
                }
                else
                {
                    await rows.UpdateAsync(names.LogTiles, row, stored.ETag, cancellationToken);
                }

                return;
            }
            catch (RowConflictException)
            {
                // written meanwhile (another publisher completing this batch, or a later one): compare with that copy
                stored = await rows.GetAsync(names.LogTiles, row.PartitionKey, row.RowKey, cancellationToken);
            }
        }
    }

    /// <summary>Upserts rows as single-partition transactions of up to 100, several at a time.</summary>
    private Task UpsertConcurrentlyAsync(string table, IReadOnlyList<Row> batch, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(
            batch.GroupBy(r => r.PartitionKey, StringComparer.Ordinal).SelectMany(g => g.Chunk(100)),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (chunk, token) => await rows.UpsertAsync(table, chunk, token));

    /// <summary>
    /// The <c>loghistory</c> index: per entry and batch, the entry's leaf indexes in that batch (see <see cref="LogLayout"/>),
    /// in 16 partitions so that a batch about k distinct entries costs about 16 + k/100 transactions. Written with the
    /// leaves, before the batch commits, as idempotent upserts whose keys and content follow from the batch alone.
    /// </summary>
    private static List<Row> HistoryRows(long start, IReadOnlyList<TransparencyLeaf> leaves)
    {
        var byEntry = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        for (var i = 0; i < leaves.Count; i++)
        {
            // a change is about one entry; a decision about every entry it names
            foreach (var entry in leaves[i].EntryIds)
            {
                var id = entry.Hex;
                if (!byEntry.TryGetValue(id, out var indexes))
                {
                    byEntry[id] = indexes = [];
                }

                indexes.Add(start + i);
            }
        }

        return byEntry
            .SelectMany(entry => entry.Value.Chunk(LogLayout.IndexesPerHistoryRow).Select(chunk => LogLayout.ToHistoryRow(entry.Key, chunk)))
            .ToList();
    }

    private static List<TransparencyLeaf> Parse(long start, IReadOnlyList<byte[]> leaves) =>
        leaves.Select((bytes, i) => TransparencyLeaf.Parse(bytes) is { IsSuccess: true } parsed
                ? parsed.Value!
                : throw new InvalidOperationException($"log leaf {start + i} is not a valid {LogLeaf.Format} or {DecisionLeaf.Format}: {TransparencyLeaf.Parse(bytes).Error}"))
            .ToList();

    private static Row BatchRow(BatchKey key, long start, long count, long size, string root) => LogLayout.BatchRow(key.List, key.Row, start, count, size, root);

    /// <summary>A batch's <c>logbatches</c> row: PK the list (or <see cref="DecisionBatches"/>), RK the version D12 (or the decision id).</summary>
    private sealed record BatchKey(string List, long Version, string Row);

    private static string Key(long value) => LogLayout.Key(value);
}
