using System.Globalization;
using System.Text;
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
/// The append-only RFC 6962 transparency log over Table Storage. Leaves live in <c>logleaves</c>, the hashes of
/// every complete subtree in <c>lognodes</c> (so a root or proof needs O(log n) point reads), the size, root and
/// any batch in progress in the single <c>loghead</c> row, whose ETag serialises appends across all lists. A batch
/// is first announced in the head, then written, then committed; whoever finds an announced batch completes it
/// (from its plan) before starting its own, so a crash anywhere resumes to the same log.
/// </summary>
public sealed class TransparencyLogStore(IRowStore rows, SignedFiles files, ILogBatchSource source, PublishStorageNames names)
{
    private const string HeadPartition = "log";
    private const string HeadRow = "head";

    /// <summary>Appends a version's leaves once; a repeated call (same list and version) returns the recorded batch.</summary>
    public async Task<LogBatch> AppendBatchAsync(string list, long version, string planName, IReadOnlyList<byte[]> leaves, DateTimeOffset at, CancellationToken cancellationToken)
    {
        while (true)
        {
            // The head first, then the batch row: a batch row is written before its head commit, so a batch that is
            // not recorded yet commits after this read and changes the head's ETag, and announcing it again below
            // fails. Checking the batch first would let a publisher that finished the same batch in between go
            // unnoticed, and its leaves would be appended twice.
            var head = await rows.GetAsync(names.LogHead, HeadPartition, HeadRow, cancellationToken);
            if (await GetBatchAsync(list, version, cancellationToken) is { } done)
            {
                return done;
            }

            if (head is not null && head.GetString("PendingPlan") is { Length: > 0 } pendingPlan)
            {
                var pendingList = head.GetString("PendingList")!;
                var pendingVersion = head.GetInt64("PendingVersion");
                var pendingLeaves = pendingList == list && pendingVersion == version && pendingPlan == planName
                    ? leaves
                    : await source.LeavesAsync(pendingList, pendingVersion, pendingPlan, cancellationToken);
                await CompleteAsync(head, pendingLeaves, cancellationToken);
                continue;
            }

            var size = head?.GetInt64("Size") ?? 0;
            if (leaves.Count == 0)
            {
                // nothing to append: record where the log stood, create-only so every executor agrees
                var root = head?.GetString("Root") ?? Convert.ToHexStringLower(MerkleHash.Empty());
                try
                {
                    await rows.AddAsync(names.LogBatches, BatchRow(list, version, size, 0, size, root), cancellationToken);
                }
                catch (RowConflictException)
                {
                }

                continue;
            }

            var announced = new Row(HeadPartition, HeadRow, new Dictionary<string, object?>
            {
                ["Size"] = size,
                ["Root"] = head?.GetString("Root") ?? Convert.ToHexStringLower(MerkleHash.Empty()),
                ["PendingList"] = list,
                ["PendingVersion"] = version,
                ["PendingPlan"] = planName,
                ["PendingStart"] = size,
                ["PendingCount"] = (long)leaves.Count,
                ["PendingAt"] = at,
            });
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
        var head = await rows.GetAsync(names.LogHead, HeadPartition, HeadRow, cancellationToken);
        return head is null
            ? new LogHead(0, Convert.ToHexStringLower(MerkleHash.Empty()))
            : new LogHead(head.GetInt64("Size"), head.GetString("Root")!);
    }

    /// <summary>Where a version's leaves sit, once its batch is complete.</summary>
    public async Task<LogBatch?> GetBatchAsync(string list, long version, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(names.LogBatches, list, Key(version), cancellationToken);
        return row is null
            ? null
            : new LogBatch(list, version, row.GetInt64("Start"), row.GetInt64("Count"), row.GetInt64("Size"), row.GetString("Root")!);
    }

    /// <summary>Leaves <paramref name="start"/> … <paramref name="start"/>+<paramref name="count"/>-1 (canonical bytes), as far as they exist.</summary>
    public async Task<IReadOnlyList<byte[]>> GetLeavesAsync(long start, int count, CancellationToken cancellationToken)
    {
        var result = new List<byte[]>(count);
        var end = start + count;
        for (var bucket = start / 1024; bucket <= (end - 1) / 1024; bucket++)
        {
            var from = Math.Max(start, bucket * 1024);
            var to = Math.Min(end, (bucket + 1) * 1024);
            await foreach (var row in rows.QueryAsync(names.LogLeaves, LeafPartition(from), Key(from), Key(to), cancellationToken))
            {
                result.Add(Encoding.UTF8.GetBytes(row.GetString("Leaf")!));
            }
        }

        return result;
    }

    /// <summary>The hash of the complete subtree covering leaves [index·2^level, (index+1)·2^level), or null if not complete.</summary>
    public async Task<byte[]?> GetNodeHashAsync(int level, long index, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(names.LogNodes, NodePartition(level), Key(index), cancellationToken);
        return row?.GetString("Hash") is { } hex ? Convert.FromHexString(hex) : null;
    }

    /// <summary>The root of the first <paramref name="size"/> leaves, from O(log n) stored subtree hashes.</summary>
    public async Task<byte[]> RootAtAsync(long size, CancellationToken cancellationToken)
    {
        var known = await NodesAsync(size == 0 ? [] : MerkleTree.RootPlan(size).Nodes, cancellationToken);
        return MerkleTree.Root(size, coordinate => known[coordinate]);
    }

    /// <summary>Reads stored subtree hashes; a missing one is an inconsistent log.</summary>
    private async Task<Dictionary<NodeCoordinate, byte[]>> NodesAsync(IEnumerable<NodeCoordinate> coordinates, CancellationToken cancellationToken)
    {
        var result = new Dictionary<NodeCoordinate, byte[]>();
        foreach (var coordinate in coordinates)
        {
            result[coordinate] = await GetNodeHashAsync(coordinate.Level, coordinate.Index, cancellationToken)
                                 ?? throw new InvalidOperationException($"log node {coordinate} is missing");
        }

        return result;
    }

    private async Task CompleteAsync(Row head, IReadOnlyList<byte[]> leaves, CancellationToken cancellationToken)
    {
        var list = head.GetString("PendingList")!;
        var version = head.GetInt64("PendingVersion");
        var start = head.GetInt64("PendingStart");
        var count = head.GetInt64("PendingCount");
        var at = head.GetDateTimeOffset("PendingAt") ?? DateTimeOffset.UnixEpoch;
        if (leaves.Count != count)
        {
            throw new InvalidOperationException($"log batch {list}/{version} announced {count} leaves but its plan has {leaves.Count}");
        }

        var leafRows = new List<Row>();
        for (var i = 0; i < leaves.Count; i++)
        {
            var index = start + i;
            leafRows.Add(new Row(LeafPartition(index), Key(index), new Dictionary<string, object?>
            {
                ["Leaf"] = Encoding.UTF8.GetString(leaves[i]),
                ["List"] = list,
                ["Version"] = version,
            }));
        }

        // the right edge of the tree before the batch: the only stored nodes an append reads
        var edge = await NodesAsync(start == 0 ? [] : MerkleTree.RootPlan(start).Nodes, cancellationToken);
        var nodes = MerkleTree.Append(start, leaves.Select(leaf => MerkleHash.Leaf(leaf)).ToList(), coordinate => edge[coordinate]);
        await rows.UpsertAsync(names.LogLeaves, leafRows, cancellationToken);
        await rows.UpsertAsync(names.EntryHistory, EntryHistoryRows(start, leaves), cancellationToken);
        await rows.UpsertAsync(names.LogNodes, nodes.OrderBy(n => n.Key.Level).ThenBy(n => n.Key.Index).Select(n => new Row(NodePartition(n.Key.Level), Key(n.Key.Index),
            new Dictionary<string, object?> { ["Hash"] = Convert.ToHexStringLower(n.Value) })).ToList(), cancellationToken);

        var size = start + count;
        var root = Convert.ToHexStringLower(MerkleTree.Root(size, coordinate => nodes.TryGetValue(coordinate, out var hash) ? hash : edge[coordinate]));
        var checkpoint = new Checkpoint(size, root, at, files.KeyId).ToJson();
        await files.WriteImmutableAsync(names.LogContainer, $"checkpoints/{size}.json", checkpoint, "application/json", cancellationToken);
        await rows.UpsertAsync(names.LogBatches, [BatchRow(list, version, start, count, size, root)], cancellationToken);

        try
        {
            await rows.UpdateAsync(names.LogHead, new Row(HeadPartition, HeadRow, new Dictionary<string, object?>
            {
                ["Size"] = size,
                ["Root"] = root,
                ["PendingPlan"] = string.Empty,
            }), head.ETag, cancellationToken);
            await files.OverwriteAsync(names.LogContainer, "checkpoint.json", checkpoint, "application/json", cancellationToken);
        }
        catch (RowConflictException)
        {
            // another publisher committed the same batch first
        }
    }

    /// <summary>
    /// The <c>entryhistory</c> index (PK entry id, RK leaf index): written with the leaves, before the batch commits,
    /// as idempotent upserts, so a completed batch always has its index and a retried one rewrites the same rows.
    /// </summary>
    private static List<Row> EntryHistoryRows(long start, IReadOnlyList<byte[]> leaves) =>
        leaves.Select((bytes, i) => LogLeaf.FromJson(bytes) is { IsSuccess: true } parsed
                ? new Row(parsed.Value.EntryId.Hex, Key(start + i), new Dictionary<string, object?>
                {
                    ["List"] = parsed.Value.List.Value,
                    ["Version"] = parsed.Value.Version,
                    ["Kind"] = parsed.Value.Kind.ToWireName(),
                })
                : throw new InvalidOperationException($"log leaf {start + i} is not a valid {LogLeaf.Format}: {LogLeaf.FromJson(bytes).Error}"))
            .ToList();

    private static Row BatchRow(string list, long version, long start, long count, long size, string root) =>
        new(list, Key(version), new Dictionary<string, object?> { ["Start"] = start, ["Count"] = count, ["Size"] = size, ["Root"] = root });

    private static string LeafPartition(long index) => $"leaves-{index / 1024}";

    private static string NodePartition(int level) => $"level-{level}";

    private static string Key(long value) => value.ToString("D12", CultureInfo.InvariantCulture);
}
