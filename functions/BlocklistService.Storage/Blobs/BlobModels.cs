using Azure;

namespace BlocklistService.Storage.Blobs;

/// <summary>The standard HTTP headers a blob is served with.</summary>
public sealed class BlobHttpHeaders
{
    public string? ContentType { get; set; }

    public string? ContentEncoding { get; set; }

    public string? ContentLanguage { get; set; }

    public string? ContentDisposition { get; set; }

    public string? CacheControl { get; set; }

    /// <summary>The MD5 of the content, stored as the blob's Content-MD5 (the service computes it when absent).</summary>
    public byte[]? ContentHash { get; set; }
}

/// <summary>
/// Access conditions for a blob operation (<c>If-Match</c>, <c>If-None-Match</c>, <c>If-Modified-Since</c>,
/// <c>If-Unmodified-Since</c>). <c>IfNoneMatch = ETag.All</c> makes an upload create-only.
/// </summary>
public sealed class BlobRequestConditions : RequestConditions
{
}

/// <summary>How <see cref="BlobClient.UploadAsync(BinaryData, BlobUploadOptions, CancellationToken)"/> writes a blob.</summary>
public sealed class BlobUploadOptions
{
    public BlobHttpHeaders? HttpHeaders { get; set; }

    public IDictionary<string, string>? Metadata { get; set; }

    /// <summary>Conditions on the existing blob; none means "create or overwrite".</summary>
    public BlobRequestConditions? Conditions { get; set; }
}

/// <summary>Options for <see cref="BlobClient.DownloadContentAsync(BlobDownloadOptions, CancellationToken)"/>.</summary>
public sealed class BlobDownloadOptions
{
    public BlobRequestConditions? Conditions { get; set; }
}

/// <summary>What an upload produced.</summary>
public sealed class BlobContentInfo
{
    public ETag ETag { get; internal init; }

    public DateTimeOffset LastModified { get; internal init; }

    public byte[]? ContentHash { get; internal init; }
}

/// <summary>A container, as returned by create.</summary>
public sealed class BlobContainerInfo
{
    public ETag ETag { get; internal init; }

    public DateTimeOffset LastModified { get; internal init; }
}

/// <summary>A blob's system properties and metadata.</summary>
public sealed class BlobProperties
{
    public long ContentLength { get; internal init; }

    public string? ContentType { get; internal init; }

    public string? ContentEncoding { get; internal init; }

    public string? ContentLanguage { get; internal init; }

    public string? ContentDisposition { get; internal init; }

    public string? CacheControl { get; internal init; }

    public byte[]? ContentHash { get; internal init; }

    public ETag ETag { get; internal init; }

    public DateTimeOffset LastModified { get; internal init; }

    public DateTimeOffset CreatedOn { get; internal init; }

    public string? BlobType { get; internal init; }

    public IDictionary<string, string> Metadata { get; internal init; } = new Dictionary<string, string>();
}

/// <summary>The properties that come with a download.</summary>
public sealed class BlobDownloadDetails
{
    public long ContentLength { get; internal init; }

    public string? ContentType { get; internal init; }

    public string? ContentEncoding { get; internal init; }

    public string? ContentLanguage { get; internal init; }

    public string? ContentDisposition { get; internal init; }

    public string? CacheControl { get; internal init; }

    public byte[]? ContentHash { get; internal init; }

    public ETag ETag { get; internal init; }

    public DateTimeOffset LastModified { get; internal init; }

    public IDictionary<string, string> Metadata { get; internal init; } = new Dictionary<string, string>();
}

/// <summary>A downloaded blob: its bytes and the properties they came with.</summary>
public sealed class BlobDownloadResult
{
    public BinaryData Content { get; internal init; } = BinaryData.Empty;

    public BlobDownloadDetails Details { get; internal init; } = new();
}

/// <summary>A blob in a listing.</summary>
public sealed class BlobItem
{
    public string Name { get; internal init; } = string.Empty;

    public BlobItemProperties Properties { get; internal init; } = new();
}

/// <summary>The properties a listing returns per blob.</summary>
public sealed class BlobItemProperties
{
    public long? ContentLength { get; internal init; }

    public string? ContentType { get; internal init; }

    public string? ContentEncoding { get; internal init; }

    public string? CacheControl { get; internal init; }

    public byte[]? ContentHash { get; internal init; }

    public ETag? ETag { get; internal init; }

    public DateTimeOffset? LastModified { get; internal init; }

    public DateTimeOffset? CreatedOn { get; internal init; }
}
