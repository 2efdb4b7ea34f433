using Azure.Core;
using Azure.Identity;
using BlocklistService.Storage.Tables;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Stores;

/// <summary>The service's storage account: hands out table clients by their fixed names (plus the configured prefix).</summary>
public sealed class StorageAccount
{
    private readonly TableServiceClient _tables;
    private readonly string _prefix;

    public StorageAccount(IOptions<StorageOptions> options)
    {
        var value = options.Value;
        _prefix = value.TablePrefix;
        if (!string.IsNullOrWhiteSpace(value.ConnectionString))
        {
            _tables = new TableServiceClient(value.ConnectionString);
        }
        else
        {
            TokenCredential credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = string.IsNullOrWhiteSpace(value.ManagedIdentityClientId) ? null : value.ManagedIdentityClientId,
            });
            _tables = new TableServiceClient(new Uri($"https://{value.AccountName}.table.core.windows.net"), credential);
        }
    }

    /// <summary>The table named <paramref name="name"/> (one of <see cref="StorageNames"/>).</summary>
    public TableClient Table(string name) => _tables.GetTableClient(_prefix + name);

    /// <summary>Creates every table the API uses; idempotent, run at start-up.</summary>
    public async Task CreateTablesAsync(CancellationToken cancellationToken)
    {
        foreach (var name in StorageNames.ApiTables)
        {
            await Table(name).CreateIfNotExistsAsync(cancellationToken);
        }
    }
}
