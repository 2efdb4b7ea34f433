using Azure;
using Azure.Core;
using BlocklistService.Storage.Pipeline;

namespace BlocklistService.Storage.Blobs;

/// <summary>
/// One block blob: single-request upload with headers and conditions, download, properties, existence, delete.
/// Shaped like Azure.Storage.Blobs' <c>BlobClient</c>; failures are <see cref="RequestFailedException"/>s.
/// </summary>
public sealed class BlobClient
{
    /// <summary>The most one upload request sends; larger content would need staged blocks, which this client does not do.</summary>
    public const long MaxUploadBytes = 256L * 1024 * 1024;

    private readonly StoragePipeline _pipeline;
    private readonly string _version;

    internal BlobClient(StoragePipeline pipeline, Uri containerUri, string blobName, string version)
    {
        if (string.IsNullOrEmpty(blobName) || blobName.Length > 1024)
        {
            throw new ArgumentException($"Blob name must be 1 to 1024 characters long; got {blobName?.Length ?? 0}.", nameof(blobName));
        }

        _pipeline = pipeline;
        _version = version;
        Name = blobName;
        BlobContainerName = containerUri.Segments[^1].TrimEnd('/');
        Uri = new Uri(containerUri.AbsoluteUri + "/" + string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString)));
    }

    public string Name { get; }

    public string BlobContainerName { get; }

    public Uri Uri { get; }

    /// <summary>
    /// Uploads <paramref name="content"/> as a block blob. Without <paramref name="overwrite"/> the upload is
    /// create-only (<c>If-None-Match: *</c>) and fails with 409 <c>BlobAlreadyExists</c> when the blob exists.
    /// </summary>
    public Task<Response<BlobContentInfo>> UploadAsync(BinaryData content, bool overwrite = false, CancellationToken cancellationToken = default) =>
        UploadAsync(content, new BlobUploadOptions { Conditions = overwrite ? null : new BlobRequestConditions { IfNoneMatch = Azure.ETag.All } }, cancellationToken);

    /// <summary>
    /// Uploads <paramref name="content"/> with the given headers, metadata and conditions (none: create or
    /// overwrite). A failed condition is 409 (<c>BlobAlreadyExists</c>, for <c>If-None-Match: *</c>) or 412
    /// (<c>ConditionNotMet</c>).
    /// </summary>
    public async Task<Response<BlobContentInfo>> UploadAsync(BinaryData content, BlobUploadOptions options, CancellationToken cancellationToken = default)
    {
        using var message = CreateUploadRequest(content, options);
        var response = await _pipeline.SendAsync(message, cancellationToken, 201).ConfigureAwait(false);
        return Response.FromValue(
            new BlobContentInfo
            {
                ETag = BlobWire.ETag(response),
                LastModified = BlobWire.Date(response, "Last-Modified"),
                ContentHash = BlobWire.Hash(BlobWire.Header(response, "Content-MD5")),
            },
            response);
    }

    /// <summary>Downloads the whole blob; 404 (<c>BlobNotFound</c>) when it does not exist.</summary>
    public Task<Response<BlobDownloadResult>> DownloadContentAsync(CancellationToken cancellationToken = default) =>
        DownloadContentAsync(new BlobDownloadOptions(), cancellationToken);

    /// <summary>Downloads the whole blob when <paramref name="options"/>' conditions hold (412 otherwise).</summary>
    public async Task<Response<BlobDownloadResult>> DownloadContentAsync(BlobDownloadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var message = BlobWire.CreateMessage(_pipeline, RequestMethod.Get, Uri, _version);
        BlobWire.ApplyConditions(message.Request, options.Conditions);
        var response = await _pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        var details = new BlobDownloadDetails
        {
            ContentLength = response.Headers.ContentLength ?? response.Content.ToMemory().Length,
            ContentType = BlobWire.Header(response, "Content-Type"),
            ContentEncoding = BlobWire.Header(response, "Content-Encoding"),
            ContentLanguage = BlobWire.Header(response, "Content-Language"),
            ContentDisposition = BlobWire.Header(response, "Content-Disposition"),
            CacheControl = BlobWire.Header(response, "Cache-Control"),
            ContentHash = BlobWire.Hash(BlobWire.Header(response, "Content-MD5")),
            ETag = BlobWire.ETag(response),
            LastModified = BlobWire.Date(response, "Last-Modified"),
            Metadata = BlobWire.Metadata(response),
        };
        return Response.FromValue(new BlobDownloadResult { Content = response.Content, Details = details }, response);
    }

    /// <summary>The blob's properties and metadata; 404 when it does not exist.</summary>
    public async Task<Response<BlobProperties>> GetPropertiesAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = BlobWire.CreateMessage(_pipeline, RequestMethod.Head, Uri, _version);
        BlobWire.ApplyConditions(message.Request, conditions);
        var response = await _pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        return Response.FromValue(ReadProperties(response), response);
    }

    /// <summary>Whether the blob exists (a 404 is <c>false</c>, not an error).</summary>
    public async Task<Response<bool>> ExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = BlobWire.CreateMessage(_pipeline, RequestMethod.Head, Uri, _version);
        var response = await _pipeline.SendAsync(message, cancellationToken, 200, 404).ConfigureAwait(false);
        return Response.FromValue(response.Status == 200, response);
    }

    /// <summary>Deletes the blob when its conditions hold; <c>false</c> when there was none.</summary>
    public async Task<Response<bool>> DeleteIfExistsAsync(BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = BlobWire.CreateMessage(_pipeline, RequestMethod.Delete, Uri, _version);
        BlobWire.ApplyConditions(message.Request, conditions);
        var response = await _pipeline.SendAsync(message, cancellationToken, 202, 404).ConfigureAwait(false);
        return Response.FromValue(response.Status == 202, response);
    }

    internal HttpMessage CreateUploadRequest(BinaryData content, BlobUploadOptions options)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        var bytes = content.ToMemory();
        if (bytes.Length > MaxUploadBytes)
        {
            throw new ArgumentException($"The content is {bytes.Length} bytes; this client uploads at most {MaxUploadBytes} in one request.", nameof(content));
        }

        var message = BlobWire.CreateMessage(_pipeline, RequestMethod.Put, Uri, _version);
        var request = message.Request;
        request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        var headers = options.HttpHeaders;
        SetIfPresent(request, "x-ms-blob-content-type", headers?.ContentType);
        SetIfPresent(request, "x-ms-blob-content-encoding", headers?.ContentEncoding);
        SetIfPresent(request, "x-ms-blob-content-language", headers?.ContentLanguage);
        SetIfPresent(request, "x-ms-blob-content-disposition", headers?.ContentDisposition);
        SetIfPresent(request, "x-ms-blob-cache-control", headers?.CacheControl);
        if (headers?.ContentHash is { } hash)
        {
            request.Headers.SetValue("x-ms-blob-content-md5", Convert.ToBase64String(hash));
        }

        foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
        {
            request.Headers.SetValue("x-ms-meta-" + key, value);
        }

        BlobWire.ApplyConditions(request, options.Conditions);
        request.Content = RequestContent.Create(bytes);
        return message;
    }

    private static void SetIfPresent(Request request, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            request.Headers.SetValue(name, value);
        }
    }

    private static BlobProperties ReadProperties(Response response) => new()
    {
        ContentLength = response.Headers.ContentLength ?? 0,
        ContentType = BlobWire.Header(response, "Content-Type"),
        ContentEncoding = BlobWire.Header(response, "Content-Encoding"),
        ContentLanguage = BlobWire.Header(response, "Content-Language"),
        ContentDisposition = BlobWire.Header(response, "Content-Disposition"),
        CacheControl = BlobWire.Header(response, "Cache-Control"),
        ContentHash = BlobWire.Hash(BlobWire.Header(response, "Content-MD5")),
        ETag = BlobWire.ETag(response),
        LastModified = BlobWire.Date(response, "Last-Modified"),
        CreatedOn = BlobWire.Date(response, "x-ms-creation-time"),
        BlobType = BlobWire.Header(response, "x-ms-blob-type"),
        Metadata = BlobWire.Metadata(response),
    };
}
