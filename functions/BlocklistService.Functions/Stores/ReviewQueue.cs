using Azure.Data.Tables;

namespace BlocklistService.Functions.Stores;

/// <summary>An item held for admin review (it touches a protected host).</summary>
public sealed record HeldItem(string SubmissionId, int Index, string Hotline, string Expression, string Scope, IReadOnlyList<string> Lists);

/// <summary>
/// The <c>reviews</c> table (PK <c>review</c>, RK <c>{submission id}-{index:D5}</c>): the index of held items, so an admin
/// can list them without scanning submissions. A row is removed when the item is approved or rejected.
/// </summary>
public sealed class ReviewQueue(StorageAccount account)
{
    private const string Partition = "review";

    private TableClient Table => account.Table(StorageNames.Reviews);

    public async Task AddAsync(HeldItem item, CancellationToken cancellationToken) =>
        await Table.UpsertEntityAsync(
            new TableEntity(Partition, RowKey(item.SubmissionId, item.Index))
            {
                ["SubmissionId"] = item.SubmissionId,
                ["Index"] = item.Index,
                ["Hotline"] = item.Hotline,
                ["Expression"] = item.Expression,
                ["Scope"] = item.Scope,
                ["Lists"] = string.Join(',', item.Lists),
            },
            TableUpdateMode.Replace,
            cancellationToken);

    public async Task<IReadOnlyList<HeldItem>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<HeldItem>();
        await foreach (var row in Table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), maxPerPage: 1000, select: null, cancellationToken))
        {
            items.Add(new HeldItem(
                row.GetString("SubmissionId") ?? string.Empty,
                row.GetInt32("Index") ?? 0,
                row.GetString("Hotline") ?? string.Empty,
                row.GetString("Expression") ?? string.Empty,
                row.GetString("Scope") ?? string.Empty,
                (row.GetString("Lists") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }

        return items;
    }

    /// <summary>True while the item waits in the queue.</summary>
    public async Task<bool> ContainsAsync(string submissionId, int index, CancellationToken cancellationToken) =>
        (await Table.GetEntityIfExistsAsync<TableEntity>(Partition, RowKey(submissionId, index), select: null, cancellationToken)).HasValue;

    public async Task RemoveAsync(string submissionId, int index, CancellationToken cancellationToken) =>
        await Table.DeleteEntityAsync(Partition, RowKey(submissionId, index), Azure.ETag.All, cancellationToken);

    private static string RowKey(string submissionId, int index) => $"{submissionId}-{index:D5}";
}
