using System.Text;
using System.Text.Json;
using Azure;
using BlocklistService.Functions.Ingest;
using Azure.Data.Tables;

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
/// <c>pending</c>. Every write is an upsert of deterministic content or a create-only add, so a retry after a crash
/// rewrites the same rows and completes the missing steps.
/// </summary>
public class SubmissionJournal(StorageAccount account)
{
    /// <summary>Entities per table transaction (the service's limit).</summary>
    public const int BatchSize = 100;

    private const string HeadRow = "head";
    private const int MaxStoredText = 2048;

    protected TableClient Submissions => account.Table(StorageNames.Submissions);

    private TableClient Idempotency => account.Table(StorageNames.Idempotency);

    private TableClient Pending => account.Table(StorageNames.Pending);

    /// <summary>Row key of item <paramref name="index"/>.</summary>
    public static string ItemRowKey(int index) => $"item-{index:D5}";

    /// <summary>
    /// Records that <paramref name="key"/> of <paramref name="hotline"/> belongs to <paramref name="submissionId"/> and a
    /// body with hash <paramref name="bodySha256"/>. Written before anything else so that two different bodies can
    /// never write into the same submission.
    /// </summary>
    public async Task<IdempotencyClaim> ClaimAsync(
        string hotline, string key, string submissionId, string bodySha256, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(hotline, EscapeKey(key))
        {
            ["IdempotencyKey"] = key,
            ["SubmissionId"] = submissionId,
            ["BodySha256"] = bodySha256,
        };
        try
        {
            await Idempotency.AddEntityAsync(entity, cancellationToken);
            return IdempotencyClaim.Claimed;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = await Idempotency.GetEntityAsync<TableEntity>(hotline, EscapeKey(key), select: null, cancellationToken);
            return existing.Value.GetString("BodySha256") == bodySha256 ? IdempotencyClaim.Claimed : IdempotencyClaim.OtherBody;
        }
    }

    /// <summary>The submission's head, or null when it was never committed (it does not exist).</summary>
    public async Task<SubmissionHead?> GetHeadAsync(string submissionId, CancellationToken cancellationToken)
    {
        var row = await Submissions.GetEntityIfExistsAsync<TableEntity>(submissionId, HeadRow, select: null, cancellationToken);
        return row.HasValue ? ToHead(row.Value!) : null;
    }

    /// <summary>Item-row transactions in flight at once for one submission.</summary>
    public const int ParallelBatches = 4;

    /// <summary>
    /// Writes the item rows in single-partition transactions of <see cref="BatchSize"/> (upserts), up to
    /// <see cref="ParallelBatches"/> at a time. Returns only when every one succeeded; after a failure no further
    /// transaction starts and the failure is thrown, so the head (the commit point) is never written over a gap.
    /// </summary>
    public async Task WriteItemsAsync(string submissionId, string hotline, IReadOnlyList<JournalItem> items, CancellationToken cancellationToken)
    {
        var batches = (items.Count + BatchSize - 1) / BatchSize;
        await Parallel.ForAsync(0, batches, new ParallelOptions { MaxDegreeOfParallelism = ParallelBatches, CancellationToken = cancellationToken },
            async (batch, _) =>
            {
                var start = batch * BatchSize;
                var actions = new List<TableTransactionAction>(Math.Min(BatchSize, items.Count - start));
                for (var i = start; i < Math.Min(items.Count, start + BatchSize); i++)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(submissionId, hotline, items[i])));
                }

                // the request's token, not the loop's: a sibling's failure stops new transactions, not those in flight
                await SubmitItemBatchAsync(actions, cancellationToken);
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
            await Submissions.AddEntityAsync(ToEntity(head), cancellationToken);
            return head;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return await GetHeadAsync(head.SubmissionId, cancellationToken)
                ?? throw new InvalidOperationException($"head of {head.SubmissionId} exists and vanished");
        }
    }

    /// <summary>Writes one <c>pending</c> marker per list (upsert; the publisher deletes markers it consumed).</summary>
    public async Task MarkPendingAsync(string submissionId, IEnumerable<string> lists, CancellationToken cancellationToken)
    {
        foreach (var list in lists.Distinct(StringComparer.Ordinal))
        {
            await Pending.UpsertEntityAsync(new TableEntity(list, submissionId), TableUpdateMode.Replace, cancellationToken);
        }
    }

    /// <summary>Records that the steps after the commit point are done, so a retry does not redo them.</summary>
    public async Task MarkCompletedAsync(string submissionId, CancellationToken cancellationToken) =>
        await Submissions.UpsertEntityAsync(
            new TableEntity(submissionId, HeadRow) { ["Completed"] = true }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Every item row of a submission, in index order.</summary>
    public async Task<IReadOnlyList<JournalItem>> ReadItemsAsync(string submissionId, CancellationToken cancellationToken)
    {
        var items = new List<JournalItem>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {submissionId} and RowKey ge {"item-"} and RowKey lt {"item."}");
        await foreach (var row in Submissions.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: null, cancellationToken))
        {
            items.Add(ToItem(row));
        }

        return items.OrderBy(i => i.Index).ToList();
    }

    /// <summary>One item row, or null.</summary>
    public async Task<JournalItem?> ReadItemAsync(string submissionId, int index, CancellationToken cancellationToken)
    {
        var row = await Submissions.GetEntityIfExistsAsync<TableEntity>(submissionId, ItemRowKey(index), select: null, cancellationToken);
        return row.HasValue ? ToItem(row.Value!) : null;
    }

    /// <summary>Changes a held item's result (admin review); merges only the result fields.</summary>
    public async Task SetResultAsync(string submissionId, int index, ItemResult result, string? reason, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(submissionId, ItemRowKey(index))
        {
            ["Result"] = result.ToWireName(),
            ["Reason"] = reason ?? string.Empty,
        };
        await Submissions.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Sends one transaction of item rows. Virtual so tests can fail the journal part-way through a batch.</summary>
    protected virtual async Task SubmitItemBatchAsync(IReadOnlyList<TableTransactionAction> batch, CancellationToken cancellationToken) =>
        await Submissions.SubmitTransactionAsync(batch, cancellationToken);

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

    private static TableEntity ToEntity(string submissionId, string hotline, JournalItem item)
    {
        var entity = new TableEntity(submissionId, ItemRowKey(item.Index))
        {
            ["Index"] = item.Index,
            ["Hotline"] = hotline,
            ["Result"] = item.Result.ToWireName(),
            ["Reason"] = item.Reason ?? string.Empty,
            ["Action"] = Clip(item.Action),
            ["Url"] = Clip(item.Url),
            ["Scope"] = Clip(item.Scope),
            ["Lists"] = Clip(string.Join(',', item.Lists)),
            ["Category"] = Clip(item.Category),
            ["Reference"] = Clip(item.Reference),
            ["VerifiedBy"] = Clip(string.Join(',', item.VerifiedBy)),
            ["Expression"] = item.Expression ?? string.Empty,
            ["EntryId"] = item.EntryId ?? string.Empty,
            ["Host"] = item.Host ?? string.Empty,
        };
        if (item.VerifiedAt is { } verifiedAt)
        {
            entity["VerifiedAt"] = verifiedAt;
        }

        if (item.ReviewBy is { } reviewBy)
        {
            entity["ReviewBy"] = reviewBy;
        }

        if (item.Errors.Count > 0)
        {
            entity["Errors"] = Clip(JsonSerializer.Serialize(item.Errors), 16_000);
        }

        return entity;
    }

    private static JournalItem ToItem(TableEntity row)
    {
        var errors = row.GetString("Errors") is { Length: > 0 } json
            ? TryDeserializeErrors(json)
            : new Dictionary<string, string[]>();
        return new JournalItem
        {
            Index = row.GetInt32("Index") ?? int.Parse(row.RowKey.AsSpan(5)),
            Result = ItemResultNames.Parse(row.GetString("Result")),
            Reason = NullIfEmpty(row.GetString("Reason")),
            Errors = errors,
            Action = NullIfEmpty(row.GetString("Action")),
            Url = NullIfEmpty(row.GetString("Url")),
            Scope = NullIfEmpty(row.GetString("Scope")),
            Lists = Split(row.GetString("Lists")),
            Category = NullIfEmpty(row.GetString("Category")),
            Reference = NullIfEmpty(row.GetString("Reference")),
            VerifiedAt = row.GetDateTimeOffset("VerifiedAt"),
            VerifiedBy = Split(row.GetString("VerifiedBy")),
            ReviewBy = row.GetDateTimeOffset("ReviewBy"),
            Expression = NullIfEmpty(row.GetString("Expression")),
            EntryId = NullIfEmpty(row.GetString("EntryId")),
            Host = NullIfEmpty(row.GetString("Host")),
        };
    }

    private static TableEntity ToEntity(SubmissionHead head) => new(head.SubmissionId, HeadRow)
    {
        ["Hotline"] = head.Hotline,
        ["IdempotencyKey"] = head.IdempotencyKey ?? string.Empty,
        ["BodySha256"] = head.BodySha256,
        ["Received"] = head.Received,
        ["ItemCount"] = head.ItemCount,
        ["Accepted"] = head.Accepted,
        ["Rejected"] = head.Rejected,
        ["Held"] = head.Held,
        ["Completed"] = head.Completed,
    };

    private static SubmissionHead ToHead(TableEntity row) => new()
    {
        SubmissionId = row.PartitionKey,
        Hotline = row.GetString("Hotline") ?? string.Empty,
        IdempotencyKey = NullIfEmpty(row.GetString("IdempotencyKey")),
        BodySha256 = row.GetString("BodySha256") ?? string.Empty,
        Received = row.GetDateTimeOffset("Received") ?? DateTimeOffset.MinValue,
        ItemCount = row.GetInt32("ItemCount") ?? 0,
        Accepted = row.GetInt32("Accepted") ?? 0,
        Rejected = row.GetInt32("Rejected") ?? 0,
        Held = row.GetInt32("Held") ?? 0,
        Completed = row.GetBoolean("Completed") ?? false,
    };

    private static Dictionary<string, string[]> TryDeserializeErrors(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string[]>>(json) ?? [];
        }
        catch (JsonException)
        {
            return new Dictionary<string, string[]> { ["item"] = [json] };
        }
    }

    private static string Clip(string? value, int max = MaxStoredText) =>
        value is null ? string.Empty : value.Length <= max ? value : value[..max];

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static IReadOnlyList<string> Split(string? value) =>
        string.IsNullOrEmpty(value) ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
