using Azure;
using BlocklistService.Functions.Publishing;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// <see cref="IBlobStore"/> over Blob Storage: download (null when missing), create-only upload
/// (<c>If-None-Match: *</c>; an existing blob answers <see cref="BlobPutResult.AlreadyExists"/>) and overwrite,
/// each with its content type and cache control.
/// </summary>
public sealed class ContainerBlobStore(Func<string, BlobContainerClient> containerOf) : IBlobStore
{
    public async Task<StoredBlob?> GetAsync(string container, string name, CancellationToken cancellationToken)
    {
        try
        {
            var result = (await containerOf(container).GetBlobClient(name).DownloadContentAsync(cancellationToken)).Value;
            return new StoredBlob(result.Content.ToArray(), result.Details.ETag.ToString(), result.Details.ContentType);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<BlobPutResult> PutIfAbsentAsync(string container, string name, byte[] content, string contentType, string cacheControl, CancellationToken cancellationToken)
    {
        try
        {
            await UploadAsync(container, name, content, contentType, cacheControl, new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellationToken);
            return BlobPutResult.Created;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return BlobPutResult.AlreadyExists;
        }
    }

    public Task OverwriteAsync(string container, string name, byte[] content, string contentType, string cacheControl, CancellationToken cancellationToken) =>
        UploadAsync(container, name, content, contentType, cacheControl, conditions: null, cancellationToken);

    private async Task UploadAsync(string container, string name, byte[] content, string contentType, string cacheControl, BlobRequestConditions? conditions, CancellationToken cancellationToken) =>
        await containerOf(container).GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType, CacheControl = cacheControl },
            Conditions = conditions,
        }, cancellationToken);
}
