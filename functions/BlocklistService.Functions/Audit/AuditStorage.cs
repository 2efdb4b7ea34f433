using Azure.Core;
using Azure.Identity;
using BlocklistService.Functions.Stores;
using BlocklistService.Storage.Blobs;
using BlocklistService.Storage.Tables;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Audit;

/// <summary>
/// The tables and containers the audit API reads: the transparency log (<c>loghead</c>, <c>logleaves</c>,
/// <c>lognodes</c>, <c>entryhistory</c>), the <c>log</c> container (signed checkpoints) and the <c>artifacts</c>
/// container (signed manifests). Names carry <c>Storage:TablePrefix</c>, containers too, so tests isolate themselves.
/// </summary>
public sealed class AuditStorage
{
    public const string EntryHistory = "entryhistory";

    private readonly TableServiceClient _tables;
    private readonly BlobServiceClient _blobs;
    private readonly string _prefix;

    public AuditStorage(IOptions<StorageOptions> options)
    {
        var value = options.Value;
        _prefix = value.TablePrefix;
        if (!string.IsNullOrWhiteSpace(value.ConnectionString))
        {
            _tables = new TableServiceClient(value.ConnectionString);
            _blobs = new BlobServiceClient(value.ConnectionString);
        }
        else
        {
            TokenCredential credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = string.IsNullOrWhiteSpace(value.ManagedIdentityClientId) ? null : value.ManagedIdentityClientId,
            });
            _tables = new TableServiceClient(new Uri($"https://{value.AccountName}.table.core.windows.net"), credential);
            _blobs = new BlobServiceClient(new Uri($"https://{value.AccountName}.blob.core.windows.net"), credential);
        }
    }

    public TableClient Table(string name) => _tables.GetTableClient(_prefix + name);

    public BlobContainerClient Container(string name) => _blobs.GetBlobContainerClient(_prefix + name);
}
