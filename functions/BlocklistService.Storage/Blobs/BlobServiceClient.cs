using Azure.Core;
using BlocklistService.Storage.Pipeline;

namespace BlocklistService.Storage.Blobs;

/// <summary>The Blob service of one storage account; hands out container clients that share its pipeline.</summary>
public sealed class BlobServiceClient
{
    private readonly StoragePipeline _pipeline;
    private readonly string _version;

    /// <summary>From a connection string with an account key, or <c>UseDevelopmentStorage=true</c>.</summary>
    public BlobServiceClient(string connectionString, BlobClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options ?? new BlobClientOptions())
    {
    }

    public BlobServiceClient(Uri endpoint, StorageSharedKeyCredential credential, BlobClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new BlobClientOptions();
        Uri = endpoint;
        _version = options.Version;
        _pipeline = StoragePipeline.WithSharedKey(options, credential, SharedKeyForm.Blob, options.TimeProvider);
    }

    /// <summary>With an Azure AD token (managed identity in Azure), scope <c>https://storage.azure.com/.default</c>.</summary>
    public BlobServiceClient(Uri endpoint, TokenCredential credential, BlobClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new BlobClientOptions();
        Uri = endpoint;
        _version = options.Version;
        _pipeline = StoragePipeline.WithToken(options, credential);
    }

    private BlobServiceClient(StorageConnectionString parsed, BlobClientOptions options)
        : this(parsed.BlobEndpoint, parsed.Credential, options)
    {
    }

    public Uri Uri { get; }

    /// <summary>A client for container <paramref name="containerName"/> (3–63 lowercase letters, digits and single hyphens).</summary>
    public BlobContainerClient GetBlobContainerClient(string containerName) => new(_pipeline, Uri, containerName, _version);
}
