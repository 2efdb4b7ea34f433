using Azure.Data.Tables;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// The API's tables by their fixed names (plus the configured prefix), in the same storage account and through the
/// request path's clients (<see cref="PublishStorage"/>); tables are created through the publisher's more patient ones.
/// </summary>
public sealed class StorageAccount(PublishStorage storage, [FromKeyedServices(StorageCaller.Publisher)] PublishStorage setup)
{
    /// <summary>The table named <paramref name="name"/> (one of <see cref="StorageNames"/>).</summary>
    public TableClient Table(string name) => storage.Table(name);

    /// <summary>Creates every table the API uses; idempotent, run at start-up.</summary>
    public async Task CreateTablesAsync(CancellationToken cancellationToken)
    {
        foreach (var name in StorageNames.ApiTables)
        {
            await setup.Table(name).CreateIfNotExistsAsync(cancellationToken);
        }
    }
}
