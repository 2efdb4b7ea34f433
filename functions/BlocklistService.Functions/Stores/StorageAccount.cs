namespace BlocklistService.Functions.Stores;

/// <summary>
/// Creates the API's tables (<see cref="StorageNames.ApiTables"/>, plus the configured prefix) at start-up, through the
/// publisher's patient clients: start-up is not a request path. Every read and write goes through the row store.
/// </summary>
public sealed class StorageAccount([FromKeyedServices(StorageCaller.Publisher)] PublishStorage setup)
{
    /// <summary>Creates every table the API uses; idempotent, run at start-up.</summary>
    public async Task CreateTablesAsync(CancellationToken cancellationToken)
    {
        await setup.CreateTablesAsync(StorageNames.ApiTables, cancellationToken);
    }
}
