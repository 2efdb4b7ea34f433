using Azure.Core;
using BlocklistService.Functions.Publishing;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Data.Tables;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// The publisher's tables and containers in one storage account, every name behind the same prefix
/// (<c>Storage:TablePrefix</c>; tests isolate themselves with it): the row and blob stores over them, and their creation.
/// </summary>
public sealed class PublishStorage(TableServiceClient tables, BlobServiceClient blobs, string prefix = "")
{
    /// <summary>
    /// The account <paramref name="options"/> names, with the retry policy of <paramref name="caller"/>
    /// (<see cref="StorageClients"/> builds the clients).
    /// </summary>
    public static PublishStorage FromOptions(StorageOptions options, StorageCaller caller, Func<TokenCredential> credential)
    {
        var (tables, blobs) = StorageClients.Create(options, caller, credential);
        return new PublishStorage(tables, blobs, options.TablePrefix);
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
            await Container(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }
}
