using System.Globalization;
using System.Text.Json;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Ingest;

/// <summary>A hotline's index row: the submission it names and the receive time of the attempt that wrote it.</summary>
public sealed record IndexedSubmission(string SubmissionId, DateTimeOffset Received);

/// <summary>
/// The <c>submissions</c> table's codec, used by ingest (<see cref="SubmissionJournal"/>) and the publisher
/// (<see cref="JournalReader"/>): PK submission id; RK <c>item-{index:D5}</c> for each <see cref="SubmittedItem"/> and
/// <c>head</c> for the <see cref="SubmissionHead"/> (the commit point). Each hotline also has an index partition,
/// PK <c>hotline-{escaped organisation}</c>, RK <c>{inverted received ticks D19}-{submission id}</c> (newest first), one
/// row per commit attempt, written just before the head, so a hotline's submissions are listed without a scan (<see cref="IndexRow"/>).
/// </summary>
public static class SubmissionRows
{
    public const string Table = StorageNames.Submissions;
    public const string HeadRow = "head";

    /// <summary>Prefix of a hotline's index partition; submission ids start with <c>s</c>, so the two never meet.</summary>
    public const string IndexPartitionPrefix = "hotline-";

    public static string IndexPartition(string hotline) => IndexPartitionPrefix + SubmissionJournal.EscapeKey(hotline);

    /// <summary>Newest first: the row key starts with <see cref="DateTimeOffset.MaxValue"/> ticks minus the received ticks.</summary>
    public static string IndexRowKey(DateTimeOffset received, string submissionId) =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.MaxValue.UtcTicks - received.UtcTicks:D19}-{submissionId}");

    /// <summary>True for a row key <see cref="IndexRowKey"/> could have written (a listing cursor is one).</summary>
    public static bool IsIndexRowKey(string rowKey) =>
        rowKey.Length == 19 + 1 + 41 && rowKey[19] == '-' && rowKey.AsSpan(0, 19).IndexOfAnyExceptInRange('0', '9') < 0 && rowKey[20] == 's' &&
        rowKey.AsSpan(21).IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>The index row of a committed submission (deterministic, so rewriting it on a retry changes nothing).</summary>
    public static Row IndexRow(SubmissionHead head) => new(IndexPartition(head.Hotline), IndexRowKey(head.Received, head.SubmissionId), new Dictionary<string, object?>
    {
        ["SubmissionId"] = head.SubmissionId,
        ["Received"] = head.Received,
        ["ItemCount"] = head.ItemCount,
    });

    public static IndexedSubmission IndexedFromRow(Row row) => new(
        row.GetString("SubmissionId") ?? row.RowKey[20..],
        row.GetDateTimeOffset("Received") ?? new DateTimeOffset(DateTimeOffset.MaxValue.UtcTicks - long.Parse(row.RowKey.AsSpan(0, 19), CultureInfo.InvariantCulture), TimeSpan.Zero));

    /// <summary>Item rows sort between these row keys ('.' sorts right after '-').</summary>
    public const string FirstItemRow = "item-";
    public const string AfterLastItemRow = "item.";

    /// <summary>Longest request text kept per field (the journal records, it does not archive).</summary>
    private const int MaxStoredText = 2048;

    public static string ItemRowKey(int index) => string.Create(CultureInfo.InvariantCulture, $"item-{index:D5}");

    public static bool IsItemRow(string rowKey) => rowKey.StartsWith(FirstItemRow, StringComparison.Ordinal);

    public static Row ToRow(string submissionId, string hotline, SubmittedItem item) => new(submissionId, ItemRowKey(item.Index), new Dictionary<string, object?>
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
        ["VerifiedAt"] = item.VerifiedAt,
        ["ReviewBy"] = item.ReviewBy,
        ["Errors"] = item.Errors.Count > 0 ? Clip(JsonSerializer.Serialize(item.Errors), 16_000) : null,
    });

    /// <summary>Only the result fields of an item, for a merge (admin review).</summary>
    public static Row ResultRow(string submissionId, int index, ItemResult result, string? reason) =>
        new(submissionId, ItemRowKey(index), new Dictionary<string, object?> { ["Result"] = result.ToWireName(), ["Reason"] = reason ?? string.Empty });

    public static SubmittedItem ItemFromRow(Row row) => new()
    {
        Index = row.GetInt32("Index") ?? int.Parse(row.RowKey.AsSpan(FirstItemRow.Length), CultureInfo.InvariantCulture),
        Result = ItemResultNames.Parse(row.GetString("Result")),
        Reason = NullIfEmpty(row.GetString("Reason")),
        Errors = row.GetString("Errors") is { Length: > 0 } json ? ParseErrors(json) : new Dictionary<string, string[]>(),
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

    public static Row ToRow(SubmissionHead head) => new(head.SubmissionId, HeadRow, new Dictionary<string, object?>
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
    });

    /// <summary>Only the completion flag of a head, for a merge.</summary>
    public static Row CompletedRow(string submissionId) => new(submissionId, HeadRow, new Dictionary<string, object?> { ["Completed"] = true });

    public static SubmissionHead HeadFromRow(Row row) => new()
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

    private static Dictionary<string, string[]> ParseErrors(string json)
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

/// <summary>
/// The <c>idempotency</c> table's codec: PK hotline, RK the escaped <c>Idempotency-Key</c>
/// (<see cref="SubmissionJournal.EscapeKey"/>), naming the submission and the body it belongs to.
/// </summary>
public static class IdempotencyRows
{
    public const string Table = StorageNames.Idempotency;

    public static Row ToRow(string hotline, string key, string submissionId, string bodySha256) => new(hotline, SubmissionJournal.EscapeKey(key), new Dictionary<string, object?>
    {
        ["IdempotencyKey"] = key,
        ["SubmissionId"] = submissionId,
        ["BodySha256"] = bodySha256,
    });

    public static string? BodySha256(Row row) => row.GetString("BodySha256");
}

/// <summary>The <c>pending</c> table's codec: PK list name, RK submission id, no properties: "this submission has items for this list".</summary>
public static class PendingRows
{
    public const string Table = StorageNames.Pending;

    public static Row ToRow(string list, string submissionId) => new(list, submissionId, new Dictionary<string, object?>());

    public static string SubmissionId(Row row) => row.RowKey;
}
