using Azure.Data.Tables;

namespace BlocklistService.Functions.Stores;

/// <summary>One item of a submission published in one list's version.</summary>
public sealed record Publication(int Index, string List, long Version);

/// <summary>
/// Reads the <c>publications</c> table (PK submission id, RK <c>{index:D5}-{list}</c>, property <c>Version</c>), which the
/// publisher writes when a version carrying an item is committed.
/// </summary>
public sealed class PublicationStore(StorageAccount account)
{
    /// <summary>Row key of item <paramref name="index"/> published in <paramref name="list"/>.</summary>
    public static string RowKey(int index, string list) => $"{index:D5}-{list}";

    public async Task<IReadOnlyList<Publication>> ReadAsync(string submissionId, CancellationToken cancellationToken)
    {
        var publications = new List<Publication>();
        await foreach (var row in account.Table(StorageNames.Publications).QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {submissionId}"), maxPerPage: 1000, select: null, cancellationToken))
        {
            var dash = row.RowKey.IndexOf('-');
            if (dash > 0 && int.TryParse(row.RowKey.AsSpan(0, dash), out var index))
            {
                publications.Add(new Publication(index, row.RowKey[(dash + 1)..], row.GetInt64("Version") ?? 0));
            }
        }

        return publications;
    }
}
