using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Publishing;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Reads what ingest journaled for a list: the <c>pending</c> markers, and the accepted item rows of those
/// submissions that name the list (the <c>head</c> row gives the hotline and the acceptance time). A submission
/// without a head does not exist yet and is skipped; its marker stays. Property names are those ingest writes
/// (Stores/SubmissionJournal): items <c>Index</c>, <c>Hotline</c>, <c>Result</c>, <c>Action</c>, <c>Lists</c>
/// (comma-separated), <c>Expression</c>, <c>EntryId</c>, <c>Scope</c>, <c>Category</c>, <c>Reference</c>,
/// <c>VerifiedAt</c>, <c>VerifiedBy</c> (comma-separated), <c>ReviewBy</c> (absent when not given); head
/// <c>Hotline</c>, <c>Received</c>.
/// </summary>
public sealed class JournalReader(IRowStore rows, PublishStorageNames names)
{
    public async Task<IReadOnlyList<string>> PendingAsync(string list, CancellationToken cancellationToken)
    {
        var result = new List<string>();
        await foreach (var row in rows.QueryAsync(names.Pending, list, null, null, cancellationToken))
        {
            result.Add(row.RowKey);
        }

        return result;
    }

    /// <summary>The items of one submission for <paramref name="list"/>; null when the submission has no head yet.</summary>
    public async Task<IReadOnlyList<JournalItem>?> ItemsAsync(string submissionId, string list, CancellationToken cancellationToken)
    {
        Row? head = null;
        var items = new List<Row>();
        await foreach (var row in rows.QueryAsync(names.Submissions, submissionId, null, null, cancellationToken))
        {
            if (row.RowKey == "head")
            {
                head = row;
            }
            else if (row.RowKey.StartsWith("item-", StringComparison.Ordinal))
            {
                items.Add(row);
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

        var hotline = head.GetString("Hotline") ?? string.Empty;
        var accepted = head.GetDateTimeOffset("Received") ?? DateTimeOffset.UnixEpoch;
        var result = new List<JournalItem>();
        foreach (var row in items)
        {
            if (!string.Equals(row.GetString("Result"), "accepted", StringComparison.Ordinal) || !NamesList(row.GetString("Lists"), list))
            {
                continue;
            }

            if (!EntryId.TryParse(row.GetString("EntryId"), out var id) || !EntryScopeNames.TryParse(row.GetString("Scope"), out var scope))
            {
                continue; // an accepted item always has both; a row without them is not one ingest wrote
            }

            var index = int.Parse(row.RowKey.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture);
            if (published.Contains(Stores.PublicationStore.RowKey(index, list)))
            {
                continue;
            }

            result.Add(new JournalItem(
                submissionId,
                index,
                accepted,
                row.GetString("Action") == "remove" ? JournalAction.Remove : JournalAction.Add,
                id,
                row.GetString("Expression") ?? string.Empty,
                scope,
                row.GetString("Category") ?? string.Empty,
                row.GetString("Hotline") is { Length: > 0 } itemHotline ? itemHotline : hotline,
                row.GetString("Reference") ?? string.Empty,
                row.GetDateTimeOffset("VerifiedAt") ?? accepted,
                row.GetDateTimeOffset("ReviewBy") ?? NoReview,
                Split(row.GetString("VerifiedBy"))));
        }

        return result;
    }

    /// <summary>A backing without a review-by date never expires (the expiry index is keyed by date, so one far away).</summary>
    public static readonly DateTimeOffset NoReview = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The <c>Lists</c> property is a comma-separated list of names.</summary>
    private static bool NamesList(string? lists, string list) => Split(lists).Contains(list, StringComparer.Ordinal);

    private static IReadOnlyList<string> Split(string? value) =>
        string.IsNullOrEmpty(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
