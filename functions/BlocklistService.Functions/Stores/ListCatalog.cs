using Azure;
using BlocklistService.Domain.Lists;
using Azure.Data.Tables;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// The <c>lists</c> table's head rows (PK <c>list</c>, RK list name). A list exists once its head row exists; the API
/// creates heads at version 0 and the publisher extends them.
/// </summary>
public sealed class ListCatalog(StorageAccount account)
{
    private const string Partition = "list";

    private TableClient Table => account.Table(StorageNames.Lists);

    /// <summary>Creates the head row at version 0 unless it exists; true when it was created now.</summary>
    public async Task<bool> EnsureAsync(ListName name, CancellationToken cancellationToken)
    {
        try
        {
            await Table.AddEntityAsync(new TableEntity(Partition, name.Value) { ["Version"] = 0L, ["EntryCount"] = 0L }, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>The names of every existing list.</summary>
    public async Task<IReadOnlySet<string>> NamesAsync(CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in Table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), maxPerPage: 1000, select: ["RowKey"], cancellationToken))
        {
            names.Add(row.RowKey);
        }

        return names;
    }
}
