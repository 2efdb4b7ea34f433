using System.Globalization;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Stores;

/// <summary>An item held for admin review (it touches a protected host).</summary>
public sealed record HeldItem(string SubmissionId, int Index, string Hotline, string Expression, string Scope, IReadOnlyList<string> Lists);

/// <summary>The <c>reviews</c> table's codec: PK <c>review</c>, RK <c>{submission id}-{index:D5}</c>, one row per <see cref="HeldItem"/>.</summary>
public static class ReviewRows
{
    public const string Table = StorageNames.Reviews;
    public const string Partition = "review";

    public static string RowKey(string submissionId, int index) => string.Create(CultureInfo.InvariantCulture, $"{submissionId}-{index:D5}");

    public static Row ToRow(HeldItem item) => new(Partition, RowKey(item.SubmissionId, item.Index), new Dictionary<string, object?>
    {
        ["SubmissionId"] = item.SubmissionId,
        ["Index"] = item.Index,
        ["Hotline"] = item.Hotline,
        ["Expression"] = item.Expression,
        ["Scope"] = item.Scope,
        ["Lists"] = string.Join(',', item.Lists),
    });

    public static HeldItem FromRow(Row row) => new(
        row.GetString("SubmissionId") ?? string.Empty,
        row.GetInt32("Index") ?? 0,
        row.GetString("Hotline") ?? string.Empty,
        row.GetString("Expression") ?? string.Empty,
        row.GetString("Scope") ?? string.Empty,
        (row.GetString("Lists") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>
/// The index of held items (<see cref="ReviewRows"/>), so an admin can list them without scanning submissions. A row is
/// removed when the item is approved or rejected.
/// </summary>
public sealed class ReviewQueue(IRowStore rows)
{
    public async Task AddAsync(HeldItem item, CancellationToken cancellationToken) =>
        await rows.UpsertAsync(ReviewRows.Table, [ReviewRows.ToRow(item)], cancellationToken);

    public async Task<IReadOnlyList<HeldItem>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<HeldItem>();
        await foreach (var row in rows.QueryAsync(ReviewRows.Table, ReviewRows.Partition, null, null, cancellationToken))
        {
            items.Add(ReviewRows.FromRow(row));
        }

        return items;
    }

    /// <summary>True while the item waits in the queue.</summary>
    public async Task<bool> ContainsAsync(string submissionId, int index, CancellationToken cancellationToken) =>
        await rows.GetAsync(ReviewRows.Table, ReviewRows.Partition, ReviewRows.RowKey(submissionId, index), cancellationToken) is not null;

    public async Task RemoveAsync(string submissionId, int index, CancellationToken cancellationToken) =>
        await rows.DeleteAsync(ReviewRows.Table, [(ReviewRows.Partition, ReviewRows.RowKey(submissionId, index))], cancellationToken);
}
