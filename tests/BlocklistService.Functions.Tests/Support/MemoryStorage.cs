using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BlocklistService.Functions.Tests.Support;

/// <summary>
/// One in-memory storage account for servers under test: a <see cref="MemoryRowStore"/> and a <see cref="MemoryBlobStore"/>
/// registered as both the request path's stores and the publisher's keyed <see cref="PublishStorage"/>, in place of
/// the SDK-backed ones. The contract suite (Storage/RowStoreContractTests, BlobStoreContractTests) holds these to the
/// same behaviour as Table and Blob Storage.
/// </summary>
public sealed class MemoryStorage
{
    public MemoryRowStore Rows { get; } = new();

    public MemoryBlobStore Blobs { get; } = new();

    /// <summary>Replaces every storage registration of the server with these stores.</summary>
    public void Register(IServiceCollection services)
    {
        var storage = new PublishStorage(Rows, Blobs);
        services.RemoveAll<PublishStorage>();
        services.RemoveAllKeyed<PublishStorage>(StorageCaller.Publisher);
        services.RemoveAll<IRowStore>();
        services.RemoveAll<IBlobStore>();
        services.AddSingleton(storage);
        services.AddKeyedSingleton(StorageCaller.Publisher, storage);
        services.AddSingleton<IRowStore>(Rows);
        services.AddSingleton<IBlobStore>(Blobs);
    }
}
