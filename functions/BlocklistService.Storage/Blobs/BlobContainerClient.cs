using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using BlocklistService.Storage.Pipeline;

namespace BlocklistService.Storage.Blobs;

/// <summary>One blob container: create, delete, list by prefix, and clients for its blobs.</summary>
public sealed partial class BlobContainerClient
{
    private readonly StoragePipeline _pipeline;
    private readonly string _version;

    internal BlobContainerClient(StoragePipeline pipeline, Uri serviceUri, string containerName, string version)
    {
        if (containerName is null || !ContainerNamePattern().IsMatch(containerName) || containerName.Contains("--", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Container name '{containerName}' is not valid: 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.", nameof(containerName));
        }

        _pipeline = pipeline;
        _version = version;
        Name = containerName;
        Uri = new Uri(serviceUri.AbsoluteUri.TrimEnd('/') + "/" + containerName);
    }

    /// <summary>From a connection string with an account key, or <c>UseDevelopmentStorage=true</c>.</summary>
    public BlobContainerClient(string connectionString, string containerName, BlobClientOptions? options = null)
        : this(new BlobServiceClient(connectionString, options).GetBlobContainerClient(containerName))
    {
    }

    private BlobContainerClient(BlobContainerClient other)
        : this(other._pipeline, new Uri(other.Uri.AbsoluteUri[..other.Uri.AbsoluteUri.LastIndexOf('/')]), other.Name, other._version)
    {
    }

    public string Name { get; }

    public Uri Uri { get; }

    /// <summary>A client for blob <paramref name="blobName"/> ('/' separates virtual folders).</summary>
    public BlobClient GetBlobClient(string blobName) => new(_pipeline, Uri, blobName, _version);

    /// <summary>Creates the container; 409 (<c>ContainerAlreadyExists</c>) when it exists.</summary>
    public async Task<Response<BlobContainerInfo>> CreateAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateCreateRequest();
        var response = await _pipeline.SendAsync(message, cancellationToken, 201).ConfigureAwait(false);
        return Response.FromValue(Info(response), response);
    }

    /// <summary>Creates the container; when it already exists returns <c>null</c> instead of failing (as Azure.Storage.Blobs does).</summary>
    public async Task<Response<BlobContainerInfo>?> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateCreateRequest();
        var response = await _pipeline.SendAsync(message, cancellationToken, 201, 409).ConfigureAwait(false);
        return response.Status == 409 ? null : Response.FromValue(Info(response), response);
    }

    /// <summary>Deletes the container; <c>false</c> when there was none.</summary>
    public async Task<Response<bool>> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = BlobWire.CreateMessage(_pipeline, RequestMethod.Delete, new Uri(Uri.AbsoluteUri + "?restype=container"), _version);
        var response = await _pipeline.SendAsync(message, cancellationToken, 202, 404).ConfigureAwait(false);
        return Response.FromValue(response.Status == 202, response);
    }

    /// <summary>
    /// The blobs whose names start with <paramref name="prefix"/>, in name order, fetched a page at a time
    /// (up to 5000, or the page size hint) and continued transparently.
    /// </summary>
    public AsyncPageable<BlobItem> GetBlobsAsync(string? prefix = null, CancellationToken cancellationToken = default) =>
        new StoragePageable<BlobItem>(
            async (marker, pageSize, token) =>
            {
                using var message = CreateListRequest(prefix, marker, pageSize);
                var response = await _pipeline.SendAsync(message, token, 200).ConfigureAwait(false);
                var (items, next) = ParseList(response.Content.ToString());
                return Page<BlobItem>.FromValues(items, next, response);
            },
            cancellationToken);

    internal HttpMessage CreateCreateRequest() =>
        BlobWire.CreateMessage(_pipeline, RequestMethod.Put, new Uri(Uri.AbsoluteUri + "?restype=container"), _version);

    internal HttpMessage CreateListRequest(string? prefix, string? marker, int? maxResults)
    {
        var uri = Uri.AbsoluteUri + "?restype=container&comp=list";
        if (!string.IsNullOrEmpty(prefix))
        {
            uri += "&prefix=" + Uri.EscapeDataString(prefix);
        }

        if (!string.IsNullOrEmpty(marker))
        {
            uri += "&marker=" + Uri.EscapeDataString(marker);
        }

        if (maxResults is { } max)
        {
            uri += "&maxresults=" + Math.Clamp(max, 1, 5000).ToString(CultureInfo.InvariantCulture);
        }

        return BlobWire.CreateMessage(_pipeline, RequestMethod.Get, new Uri(uri), _version);
    }

    /// <summary>Parses a List Blobs answer: the blobs and the next marker (null when the listing is complete).</summary>
    internal static (List<BlobItem> Items, string? NextMarker) ParseList(string xml)
    {
        var root = XDocument.Parse(xml).Root ?? throw new FormatException("Empty List Blobs response.");
        var items = new List<BlobItem>();
        foreach (var blob in root.Element("Blobs")?.Elements("Blob") ?? [])
        {
            var properties = blob.Element("Properties");
            string? Value(string name) => properties?.Element(name)?.Value is { Length: > 0 } v ? v : null;
            items.Add(new BlobItem
            {
                Name = blob.Element("Name")?.Value ?? string.Empty,
                Properties = new BlobItemProperties
                {
                    ContentLength = long.TryParse(Value("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : null,
                    ContentType = Value("Content-Type"),
                    ContentEncoding = Value("Content-Encoding"),
                    CacheControl = Value("Cache-Control"),
                    ContentHash = BlobWire.Hash(Value("Content-MD5")),
                    ETag = Value("Etag") is { } etag ? BlobWire.ParseETag(etag) : null,
                    LastModified = BlobWire.ParseDate(Value("Last-Modified")),
                    CreatedOn = BlobWire.ParseDate(Value("Creation-Time")),
                },
            });
        }

        var next = root.Element("NextMarker")?.Value;
        return (items, string.IsNullOrEmpty(next) ? null : next);
    }

    private static BlobContainerInfo Info(Response response) =>
        new() { ETag = BlobWire.ETag(response), LastModified = BlobWire.Date(response, "Last-Modified") };

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex ContainerNamePattern();
}
