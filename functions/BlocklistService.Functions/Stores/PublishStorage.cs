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
public sealed class PublishStorage
{
    private readonly TableServiceClient? _tables;
    private readonly BlobServiceClient? _blobs;
    private readonly string _prefix = string.Empty;

    /// <summary>The account behind <paramref name="tables"/> and <paramref name="blobs"/>, every name prefixed with <paramref name="prefix"/>.</summary>
    public PublishStorage(TableServiceClient tables, BlobServiceClient blobs, string prefix = "")
    {
        (_tables, _blobs, _prefix) = (tables, blobs, prefix);
        Rows = new TableRowStore(name => tables.GetTableClient(prefix + name));
        Blobs = new ContainerBlobStore(name => blobs.GetBlobContainerClient(prefix + name));
    }

    /// <summary>
    /// Storage that is only these two stores, with no account behind them (the tests' in-memory stores): there is
    /// nothing to create, and no SDK client to hand out.
    /// </summary>
    public PublishStorage(IRowStore rows, IBlobStore blobs) => (Rows, Blobs) = (rows, blobs);

    /// <summary>
    /// The account <paramref name="options"/> names, with the retry policy of <paramref name="caller"/>
    /// (<see cref="StorageClients"/> builds the clients).
    /// </summary>
    public static PublishStorage FromOptions(StorageOptions options, StorageCaller caller, Func<TokenCredential> credential, StorageOutageSignal? outage = null)
    {
        var (tables, blobs) = StorageClients.Create(options, caller, credential, outage);
        return new PublishStorage(tables, blobs, options.TablePrefix);
    }

    /// <summary>The row store over this account's tables.</summary>
    public IRowStore Rows { get; }

    /// <summary>The blob store over this account's containers.</summary>
    public IBlobStore Blobs { get; }

    /// <summary>A container by its unprefixed name.</summary>
    public BlobContainerClient Container(string name) => (_blobs ?? throw NoAccount()).GetBlobContainerClient(_prefix + name);

    /// <summary>The table named <paramref name="name"/> (plus the configured prefix), for readers that query directly.</summary>
    public TableClient Table(string name) => (_tables ?? throw NoAccount()).GetTableClient(_prefix + name);

    /// <summary>Creates every table and container the publisher uses; idempotent.</summary>
    public async Task CreateAsync(PublishStorageNames names, CancellationToken cancellationToken)
    {
        await CreateTablesAsync(names.Tables, cancellationToken);
        if (_blobs is null)
        {
            return;
        }

        foreach (var container in names.Containers)
        {
            await Container(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    /// <summary>Creates the named tables; idempotent (and nothing to do for stores without an account).</summary>
    public async Task CreateTablesAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        if (_tables is null)
        {
            return;
        }

        foreach (var table in names)
        {
            await Table(table).CreateIfNotExistsAsync(cancellationToken);
        }
    }

    private static InvalidOperationException NoAccount() => new("this storage is in-memory stores only; it has no storage account clients");
}
