using System.Globalization;
using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Reporting;
using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Redress;

/// <summary>
/// The <c>reportmonths</c> table: PK <c>report</c>; RK <c>{yyyy-MM}|{list}</c> = one list's <see cref="MonthFigures"/>
/// (JSON in <c>Figures</c>) with <c>Through</c>, the log size the row's figures include every leaf below; RK <c>head</c>
/// = <c>Through</c>, the log size every row is complete up to (where the next catch-up starts reading).
/// </summary>
public static class ReportCodec
{
    public const string Partition = "report";
    public const string HeadRow = "head";

    public static string RowKey(string month, string list) => month + "|" + list;

    /// <summary>The RowKey range [from, to) of the months <paramref name="first"/> … <paramref name="last"/> (yyyy-MM).</summary>
    public static (string From, string To) Months(string first, string last) => (first + "|", last + "|~");

    public static Row ToRow(string month, string list, MonthFigures figures, long through) =>
        new(Partition, RowKey(month, list), new Dictionary<string, object?>
        {
            ["Figures"] = JsonSerializer.Serialize(figures),
            ["Through"] = through,
        });

    public static (string Month, string List, MonthFigures Figures, long Through) FromRow(Row row)
    {
        var bar = row.RowKey.IndexOf('|', StringComparison.Ordinal);
        return (row.RowKey[..bar], row.RowKey[(bar + 1)..],
            JsonSerializer.Deserialize<MonthFigures>(row.GetString("Figures") ?? "{}") ?? new MonthFigures(), row.GetInt64("Through") ?? 0);
    }

    public static Row Head(long through) => new(Partition, HeadRow, new Dictionary<string, object?> { ["Through"] = through });

    /// <summary>Where counting resumes: the head row's <c>Through</c> (0 before the first count).</summary>
    public static long HeadThrough(Row? head) => head?.GetInt64("Through") ?? 0;
}

/// <summary>
/// Keeps the monthly transparency figures up to date with the log: reads the leaves appended since the last run (cost
/// proportional to them, never to the log) and adds them to their month's row. Each row records how far it counted
/// and is written only if unchanged since read (If-Match, or create-only), so a retry, a crash at any point, or two
/// instances at once never count a leaf twice or lose one: a conflict stops the run and the next one starts again
/// from the head, which moves only after the rows it covers.
/// </summary>
public sealed class ReportAggregates(IRowStore rows, PublishStorageNames names, ILogger<ReportAggregates> logger)
{
    /// <summary>Most leaves one pass reads before writing what it counted.</summary>
    public const int LeavesPerPass = 8192;

    /// <summary>Counts every leaf appended since the last run; returns the log size now counted.</summary>
    public Task<long> CatchUpAsync(CancellationToken cancellationToken) => CatchUpAsync(long.MaxValue, cancellationToken);

    /// <summary>
    /// Counts the leaves appended since the last run only when there are at most <paramref name="maxLeaves"/> of them
    /// (the decisions since the last publish run, normally); a larger backlog is left to the publisher. Returns the log
    /// size counted, which may be below the log's.
    /// </summary>
    public async Task<long> CatchUpIfWithinAsync(long maxLeaves, CancellationToken cancellationToken)
    {
        var through = ReportCodec.HeadThrough(await rows.GetAsync(names.ReportMonths, ReportCodec.Partition, ReportCodec.HeadRow, cancellationToken));
        var size = await rows.GetAsync(names.LogHead, LogLayout.HeadPartition, LogLayout.HeadRow, cancellationToken) is { } logHead ? LogLayout.FromHeadRow(logHead).Size : 0;
        return size - through <= maxLeaves ? await CatchUpAsync(maxLeaves, cancellationToken) : through;
    }

    private async Task<long> CatchUpAsync(long maxLeaves, CancellationToken cancellationToken)
    {
        var counted = 0L;
        while (true)
        {
            var head = await rows.GetAsync(names.ReportMonths, ReportCodec.Partition, ReportCodec.HeadRow, cancellationToken);
            var through = ReportCodec.HeadThrough(head);
            var size = await rows.GetAsync(names.LogHead, LogLayout.HeadPartition, LogLayout.HeadRow, cancellationToken) is { } logHead ? LogLayout.FromHeadRow(logHead).Size : 0;
            if (through >= size || counted >= maxLeaves)
            {
                return through;
            }

            var end = Math.Min(size, through + LeavesPerPass);
            counted += end - through;
            if (!await PassAsync(through, end, cancellationToken))
            {
                logger.LogInformation("Report figures: another instance counted leaves {From}..{To} first; starting again", through, end);
                continue;
            }

            try
            {
                if (head is null)
                {
                    await rows.AddAsync(names.ReportMonths, ReportCodec.Head(end), cancellationToken);
                }
                else
                {
                    await rows.UpdateAsync(names.ReportMonths, ReportCodec.Head(end), head.ETag, cancellationToken);
                }
            }
            catch (RowConflictException)
            {
                // another instance moved the head; its rows and ours are each complete to their own Through
            }
        }
    }

    /// <summary>Counts leaves [from, to) into their rows; false when a row changed under us (nothing of it was lost).</summary>
    private async Task<bool> PassAsync(long from, long to, CancellationToken cancellationToken)
    {
        var touched = new Dictionary<string, (Row? Stored, MonthFigures Figures, long Through)>(StringComparer.Ordinal);
        await foreach (var (index, leaf) in LeavesAsync(from, to, cancellationToken))
        {
            if (!MonthFigures.Counts(leaf) || MonthFigures.ListOf(leaf) is not { } list)
            {
                continue;
            }

            var key = ReportCodec.RowKey(MonthFigures.MonthOf(leaf.At), list);
            if (!touched.TryGetValue(key, out var row))
            {
                var stored = await rows.GetAsync(names.ReportMonths, ReportCodec.Partition, key, cancellationToken);
                if (stored is null)
                {
                    row = (null, new MonthFigures(), 0);
                }
                else
                {
                    var (_, _, figures, counted) = ReportCodec.FromRow(stored);
                    row = (stored, figures, counted);
                }

                touched[key] = row;
            }

            if (index < row.Through)
            {
                continue; // this row already counts it
            }

            var since = MonthFigures.EndsListing(leaf) ? await ListedSinceAsync(leaf.Change!.List.Value, leaf.Change.EntryId, index, cancellationToken) : null;
            row.Figures.Apply(leaf, since);
        }

        foreach (var (key, (stored, figures, _)) in touched)
        {
            var bar = key.IndexOf('|', StringComparison.Ordinal);
            var row = ReportCodec.ToRow(key[..bar], key[(bar + 1)..], figures, to);
            try
            {
                if (stored is null)
                {
                    await rows.AddAsync(names.ReportMonths, row, cancellationToken);
                }
                else
                {
                    await rows.UpdateAsync(names.ReportMonths, row, stored.ETag, cancellationToken);
                }
            }
            catch (RowConflictException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// When the listing that leaf <paramref name="before"/> ends began: the earliest add of the entry to
    /// <paramref name="list"/> after its previous removal or expiry (re-verifications add leaves too), from its history.
    /// </summary>
    private async Task<DateTimeOffset?> ListedSinceAsync(string list, EntryId id, long before, CancellationToken cancellationToken)
    {
        var (fromKey, toKey) = LogLayout.HistoryRange(id.Hex);
        var indexes = new List<long>();
        await foreach (var row in rows.QueryAsync(names.LogHistory, LogLayout.HistoryPartition(id.Hex), fromKey, toKey, cancellationToken))
        {
            indexes.AddRange(LogLayout.HistoryIndexes(row).Where(i => i < before));
        }

        DateTimeOffset? since = null;
        foreach (var index in indexes.Distinct().OrderDescending())
        {
            var stored = await rows.GetAsync(names.LogLeaves, LogLayout.LeafPartition(index), LogLayout.Key(index), cancellationToken);
            if (stored is null || LogLayout.LeafBytes(stored) is not { } leaf || LogLeaf.FromJson(leaf) is not { IsSuccess: true } parsed || parsed.Value!.List.Value != list)
            {
                continue; // a decision leaf, or another list's change
            }

            if (parsed.Value.Kind is LogLeafKind.Remove or LogLeafKind.Expire)
            {
                break; // the previous listing ended here
            }

            if (parsed.Value.Kind == LogLeafKind.Add)
            {
                since = parsed.Value.PublishedAt;
            }
        }

        return since;
    }

    private async IAsyncEnumerable<(long Index, TransparencyLeaf Leaf)> LeavesAsync(long from, long to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var bucket = from / LogLayout.LeavesPerPartition; bucket <= (to - 1) / LogLayout.LeavesPerPartition; bucket++)
        {
            var first = Math.Max(from, bucket * LogLayout.LeavesPerPartition);
            var last = Math.Min(to, (bucket + 1) * LogLayout.LeavesPerPartition);
            await foreach (var row in rows.QueryAsync(names.LogLeaves, LogLayout.LeafPartition(first), LogLayout.Key(first), LogLayout.Key(last), cancellationToken))
            {
                var index = long.Parse(row.RowKey, NumberStyles.None, CultureInfo.InvariantCulture);
                if (LogLayout.LeafBytes(row) is { } leaf && TransparencyLeaf.Parse(leaf) is { IsSuccess: true } parsed)
                {
                    yield return (index, parsed.Value!);
                }
                else
                {
                    throw new InvalidOperationException($"log leaf {index} is missing its bytes or is not a valid leaf; the report cannot count it");
                }
            }
        }
    }
}
