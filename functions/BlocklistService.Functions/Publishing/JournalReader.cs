using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Publishing;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Reads what ingest journaled for a list: the <c>pending</c> markers, and the accepted item rows of those
/// submissions that name the list (the <c>head</c> row gives the hotline and the acceptance time). A submission
/// without a head does not exist yet and is skipped; its marker stays. Rows are decoded by the codecs ingest writes
/// with (<see cref="SubmissionRows"/>, <see cref="PendingRows"/>).
/// </summary>
public sealed class JournalReader(IRowStore rows, PublishStorageNames names)
{
    public async Task<IReadOnlyList<string>> PendingAsync(string list, CancellationToken cancellationToken)
    {
        var result = new List<string>();
        await foreach (var row in rows.QueryAsync(names.Pending, list, null, null, cancellationToken))
        {
            result.Add(PendingRows.SubmissionId(row));
        }

        return result;
    }

    /// <summary>The items of one submission for <paramref name="list"/>; null when the submission has no head yet.</summary>
    public async Task<IReadOnlyList<PendingChange>?> ItemsAsync(string submissionId, string list, CancellationToken cancellationToken)
    {
        SubmissionHead? head = null;
        var items = new List<Ingest.SubmittedItem>();
        await foreach (var row in rows.QueryAsync(names.Submissions, submissionId, null, null, cancellationToken))
        {
            if (row.RowKey == SubmissionRows.HeadRow)
            {
                head = SubmissionRows.HeadFromRow(row);
            }
            else if (SubmissionRows.IsItemRow(row.RowKey))
            {
                items.Add(SubmissionRows.ItemFromRow(row));
            }
        }

        if (head is null)
        {
            return null;
        }

        // items already published in this list (a submission is marked pending again when a held item of it is
        // approved): planning them again would log a second add of the same backing
        var published = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in rows.QueryAsync(names.Publications, submissionId, null, null, cancellationToken))
        {
            published.Add(row.RowKey);
        }

        var accepted = head.Received;
        var result = new List<PendingChange>();
        foreach (var item in items)
        {
            if (item.Result != ItemResult.Accepted || !item.Lists.Contains(list, StringComparer.Ordinal))
            {
                continue;
            }

            if (!EntryId.TryParse(item.EntryId, out var id) || !EntryScopeNames.TryParse(item.Scope, out var scope))
            {
                continue; // an accepted item always has both; a row without them is not one ingest wrote
            }

            if (published.Contains(PublicationRows.RowKey(item.Index, list)))
            {
                continue;
            }

            result.Add(new PendingChange(
                submissionId,
                item.Index,
                accepted,
                item.Action == "remove" ? JournalAction.Remove : JournalAction.Add,
                id,
                item.Expression ?? string.Empty,
                scope,
                item.Category ?? string.Empty,
                head.Hotline,
                item.Reference ?? string.Empty,
                item.VerifiedAt ?? accepted,
                item.ReviewBy ?? NoReview,
                item.VerifiedBy));
        }

        return result;
    }

    /// <summary>A backing without a review-by date never expires (the expiry index is keyed by date, so one far away).</summary>
    public static readonly DateTimeOffset NoReview = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);
}
