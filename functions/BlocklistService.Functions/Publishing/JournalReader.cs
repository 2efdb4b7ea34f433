using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Publishing;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Reads what ingest journaled for a list: the <c>pending</c> markers, and the accepted item rows of those
/// submissions that name the list (the <c>head</c> row gives the hotline and the acceptance time). A submission
/// without a head does not exist yet and is skipped; its marker stays.
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

        var hotline = head.GetString("Hotline") ?? string.Empty;
        var accepted = head.GetDateTimeOffset("Created") ?? DateTimeOffset.UnixEpoch;
        var result = new List<JournalItem>();
        foreach (var row in items)
        {
            if (!string.Equals(row.GetString("Result"), "accepted", StringComparison.Ordinal) || !NamesList(row.GetString("Lists"), list))
            {
                continue;
            }

            EntryId.TryParse(row.GetString("EntryId"), out var id);
            EntryScopeNames.TryParse(row.GetString("Scope"), out var scope);
            result.Add(new JournalItem(
                submissionId,
                int.Parse(row.RowKey.AsSpan(5), System.Globalization.CultureInfo.InvariantCulture),
                accepted,
                row.GetString("Action") == "remove" ? JournalAction.Remove : JournalAction.Add,
                id,
                row.GetString("Expression") ?? string.Empty,
                scope,
                row.GetString("Category") ?? string.Empty,
                hotline,
                row.GetString("Reference") ?? string.Empty,
                row.GetDateTimeOffset("VerifiedAt") ?? accepted,
                row.GetDateTimeOffset("ReviewBy") ?? DateTimeOffset.MaxValue));
        }

        return result;
    }

    /// <summary>The <c>Lists</c> property is a JSON array of list names.</summary>
    private static bool NamesList(string? lists, string list)
    {
        if (string.IsNullOrEmpty(lists))
        {
            return false;
        }

        using var document = JsonDocument.Parse(lists);
        return document.RootElement.EnumerateArray().Any(e => e.GetString() == list);
    }
}
