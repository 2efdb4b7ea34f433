using System.Text;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Stores;

/// <summary>How an <c>Idempotency-Key</c> claim went.</summary>
public enum IdempotencyClaim
{
    /// <summary>The key was new (or already held for this same body): go on writing.</summary>
    Claimed,

    /// <summary>The key is held for a different body: refuse.</summary>
    OtherBody,
}

/// <summary>
/// The ingest journal: <c>submissions</c> (item rows, then the <c>head</c> commit point), <c>idempotency</c> and
/// <c>pending</c>, through the row store and their codecs (<see cref="SubmissionRows"/>, <see cref="IdempotencyRows"/>,
/// <see cref="PendingRows"/>). Every write is an upsert of deterministic content or a create-only add, so a retry
/// after a crash rewrites the same rows and completes the missing steps.
/// </summary>
public sealed class SubmissionJournal(IRowStore rows)
{
    /// <summary>Entities per table transaction (the service's limit).</summary>
    public const int BatchSize = IRowStore.MaxBatch;

    /// <summary>Item-row transactions in flight at once for one submission.</summary>
    public const int ParallelBatches = 4;

    /// <summary>Row key of item <paramref name="index"/>.</summary>
    public static string ItemRowKey(int index) => SubmissionRows.ItemRowKey(index);

    /// <summary>
    /// Records that <paramref name="key"/> of <paramref name="hotline"/> belongs to <paramref name="submissionId"/> and a
    /// body with hash <paramref name="bodySha256"/>. Written before anything else so that two different bodies can
    /// never write into the same submission.
    /// </summary>
    public async Task<IdempotencyClaim> ClaimAsync(
        string hotline, string key, string submissionId, string bodySha256, CancellationToken cancellationToken)
    {
        var claim = IdempotencyRows.ToRow(hotline, key, submissionId, bodySha256);
        try
        {
            await rows.AddAsync(IdempotencyRows.Table, claim, cancellationToken);
            return IdempotencyClaim.Claimed;
        }
        catch (RowConflictException)
        {
            var existing = await rows.GetAsync(IdempotencyRows.Table, claim.PartitionKey, claim.RowKey, cancellationToken)
                ?? throw new InvalidOperationException($"idempotency claim {claim.RowKey} of {hotline} exists and vanished");
            return IdempotencyRows.BodySha256(existing) == bodySha256 ? IdempotencyClaim.Claimed : IdempotencyClaim.OtherBody;
        }
    }

    /// <summary>The submission's head, or null when it was never committed (it does not exist).</summary>
    public async Task<SubmissionHead?> GetHeadAsync(string submissionId, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(SubmissionRows.Table, submissionId, SubmissionRows.HeadRow, cancellationToken);
        return row is null ? null : SubmissionRows.HeadFromRow(row);
    }

    /// <summary>
    /// Writes the item rows in single-partition transactions of <see cref="BatchSize"/> (upserts), up to
    /// <see cref="ParallelBatches"/> at a time. Returns only when every one succeeded; after a failure no further
    /// transaction starts and the failure is thrown, so the head (the commit point) is never written over a gap.
    /// </summary>
    public async Task WriteItemsAsync(string submissionId, string hotline, IReadOnlyList<SubmittedItem> items, CancellationToken cancellationToken)
    {
        var batches = (items.Count + BatchSize - 1) / BatchSize;
        await Parallel.ForAsync(0, batches, new ParallelOptions { MaxDegreeOfParallelism = ParallelBatches, CancellationToken = cancellationToken },
            async (batch, _) =>
            {
                var start = batch * BatchSize;
                var actions = new List<RowAction>(Math.Min(BatchSize, items.Count - start));
                for (var i = start; i < Math.Min(items.Count, start + BatchSize); i++)
                {
                    actions.Add(RowAction.Upsert(SubmissionRows.ToRow(submissionId, hotline, items[i])));
                }

                // the request's token, not the loop's: a sibling's failure stops new transactions, not those in flight
                await rows.SubmitAsync(SubmissionRows.Table, actions, cancellationToken);
            });
    }

    /// <summary>
    /// Commits the submission by creating its head row (create-only). When a head already exists (a concurrent retry
    /// won), that head is returned instead.
    /// </summary>
    public async Task<SubmissionHead> CommitAsync(SubmissionHead head, CancellationToken cancellationToken)
    {
        try
        {
            await rows.AddAsync(SubmissionRows.Table, SubmissionRows.ToRow(head), cancellationToken);
            return head;
        }
        catch (RowConflictException)
        {
            return await GetHeadAsync(head.SubmissionId, cancellationToken)
                ?? throw new InvalidOperationException($"head of {head.SubmissionId} exists and vanished");
        }
    }

    /// <summary>Writes one <c>pending</c> marker per list (upsert; the publisher deletes markers it consumed).</summary>
    public async Task MarkPendingAsync(string submissionId, IEnumerable<string> lists, CancellationToken cancellationToken) =>
        await rows.UpsertAsync(PendingRows.Table, lists.Distinct(StringComparer.Ordinal).Select(list => PendingRows.ToRow(list, submissionId)).ToList(), cancellationToken);

    /// <summary>
    /// Adds a submission about to be committed to its hotline's index (upsert of deterministic content). Written before
    /// the head, so every committed submission is listed; readers match the row against the head (<see cref="IndexedSubmission"/>).
    /// </summary>
    public async Task IndexAsync(SubmissionHead head, CancellationToken cancellationToken) =>
        await rows.UpsertAsync(SubmissionRows.Table, [SubmissionRows.IndexRow(head)], cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> index rows of <paramref name="hotline"/>, newest first, after the index row key
    /// <paramref name="after"/> (a cursor from the previous page); with the cursor of the page's last row when more follow.
    /// A row may name a submission whose head was never written, or was written by another attempt (another receive time).
    /// </summary>
    public async Task<(IReadOnlyList<IndexedSubmission> Submissions, string? Next)> ListAsync(string hotline, string? after, int limit, CancellationToken cancellationToken)
    {
        var ids = new List<IndexedSubmission>(limit);
        string? last = null;

        // a row key range starts inclusively: the cursor's own row (the previous page's last) is skipped
        await foreach (var row in rows.QueryAsync(SubmissionRows.Table, SubmissionRows.IndexPartition(hotline), after, null, cancellationToken))
        {
            if (row.RowKey == after)
            {
                continue;
            }

            if (ids.Count == limit)
            {
                return (ids, last);
            }

            ids.Add(SubmissionRows.IndexedFromRow(row));
            last = row.RowKey;
        }

        return (ids, null);
    }

    /// <summary>Records that the steps after the commit point are done, so a retry does not redo them.</summary>
    public async Task MarkCompletedAsync(string submissionId, CancellationToken cancellationToken) =>
        await rows.SubmitAsync(SubmissionRows.Table, [RowAction.Merge(SubmissionRows.CompletedRow(submissionId))], cancellationToken);

    /// <summary>Every item row of a submission, in index order.</summary>
    public async Task<IReadOnlyList<SubmittedItem>> ReadItemsAsync(string submissionId, CancellationToken cancellationToken)
    {
        var items = new List<SubmittedItem>();
        await foreach (var row in rows.QueryAsync(SubmissionRows.Table, submissionId, SubmissionRows.FirstItemRow, SubmissionRows.AfterLastItemRow, cancellationToken))
        {
            items.Add(SubmissionRows.ItemFromRow(row));
        }

        return items.OrderBy(i => i.Index).ToList();
    }

    /// <summary>One item row, or null.</summary>
    public async Task<SubmittedItem?> ReadItemAsync(string submissionId, int index, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(SubmissionRows.Table, submissionId, ItemRowKey(index), cancellationToken);
        return row is null ? null : SubmissionRows.ItemFromRow(row);
    }

    /// <summary>Changes a held item's result (admin review); merges only the result fields.</summary>
    public async Task SetResultAsync(string submissionId, int index, ItemResult result, string? reason, CancellationToken cancellationToken) =>
        await rows.SubmitAsync(SubmissionRows.Table, [RowAction.Merge(SubmissionRows.ResultRow(submissionId, index, result, reason))], cancellationToken);

    /// <summary>
    /// Row keys may not hold '/', '\', '#', '?' or control characters, and quotes complicate key paths: every UTF-8 byte
    /// outside [A-Za-z0-9-_.~] is percent-encoded (uppercase hex), so the row key is plain ASCII.
    /// </summary>
    public static string EscapeKey(string key)
    {
        var escaped = new StringBuilder(key.Length);
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                escaped.Append(c);
            }
            else
            {
                escaped.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return escaped.ToString();
    }
}
