using Azure.Core;
using BlocklistService.Functions.Publishing;
using BlocklistService.Storage.Blobs;
using BlocklistService.Storage.Tables;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// The publisher's tables and containers in one storage account, every name behind the same prefix
/// (<c>Storage:TablePrefix</c>; tests isolate themselves with it): the row and blob stores over them, and their creation.
/// </summary>
public sealed class PublishStorage(TableServiceClient tables, BlobServiceClient blobs, string prefix = "")
{
    /// <summary>
    /// The account <paramref name="options"/> names: a connection string (Azurite, development), or the table and
    /// blob endpoints reached with <paramref name="credential"/> (the managed identity in Azure).
    /// </summary>
    public static PublishStorage FromOptions(StorageOptions options, Func<TokenCredential> credential)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new PublishStorage(new TableServiceClient(options.ConnectionString), new BlobServiceClient(options.ConnectionString), options.TablePrefix);
        }

        var blobEndpoint = options.BlobEndpoint
            ?? throw new InvalidOperationException("Storage:BlobEndpoint is required with Storage:TableEndpoint (the publisher writes artifacts)");
        var token = credential();
        return new PublishStorage(new TableServiceClient(options.TableEndpoint!, token), new BlobServiceClient(blobEndpoint, token), options.TablePrefix);
    }

    /// <summary>The row store over this account's tables.</summary>
    public IRowStore Rows { get; } = new TableRowStore(name => tables.GetTableClient(prefix + name));

    /// <summary>The blob store over this account's containers.</summary>
    public IBlobStore Blobs { get; } = new ContainerBlobStore(name => blobs.GetBlobContainerClient(prefix + name));

    /// <summary>A container by its unprefixed name.</summary>
    public BlobContainerClient Container(string name) => blobs.GetBlobContainerClient(prefix + name);

    /// <summary>The table named <paramref name="name"/> (plus the configured prefix), for readers that query directly.</summary>
    public TableClient Table(string name) => tables.GetTableClient(prefix + name);

    /// <summary>Creates every table and container the publisher uses; idempotent.</summary>
    public async Task CreateAsync(PublishStorageNames names, CancellationToken cancellationToken)
    {
        foreach (var table in names.Tables)
        {
            await tables.GetTableClient(prefix + table).CreateIfNotExistsAsync(cancellationToken);
        }

        foreach (var container in names.Containers)
        {
            await Container(container).CreateIfNotExistsAsync(cancellationToken);
        }
    }
}
