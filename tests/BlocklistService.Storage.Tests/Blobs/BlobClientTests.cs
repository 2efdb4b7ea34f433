using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Azure;
using BlocklistService.Storage.Blobs;
using BlocklistService.Storage.Tests.Tables;
using BlocklistService.Testing;

namespace BlocklistService.Storage.Tests.Blobs;

[Collection(StorageCollection.Name)]
public sealed class BlobClientTests(AzuriteFixture storage)
{
    private async Task<BlobContainerClient> NewContainerAsync()
    {
        var container = new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(Azurite.UniqueName("c"));
        await container.CreateIfNotExistsAsync();
        return container;
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    [Fact]
    public async Task Create_container_if_not_exists_is_idempotent_and_create_conflicts()
    {
        var container = new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(Azurite.UniqueName("c"));
        var created = await container.CreateIfNotExistsAsync();
        Assert.NotNull(created);
        Assert.Equal(201, created.GetRawResponse().Status);
        Assert.Null(await container.CreateIfNotExistsAsync());
        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => container.CreateAsync());
        Assert.Equal((409, "ContainerAlreadyExists"), (conflict.Status, conflict.ErrorCode));
        Assert.True((await container.DeleteIfExistsAsync()).Value);
        Assert.False((await container.DeleteIfExistsAsync()).Value);
    }

    [Fact]
    public async Task Upload_with_headers_then_download_and_properties_return_the_same_bytes_headers_and_ETag()
    {
        var container = await NewContainerAsync();
        var blob = container.GetBlobClient("lists/eu/v/7/delta ünï.json.gz");
        var bytes = Gzip("{\"adds\":[\"example.org/abc\"]}");
        var uploaded = await blob.UploadAsync(BinaryData.FromBytes(bytes), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json", ContentEncoding = "gzip", CacheControl = "public, max-age=31536000, immutable" },
            Metadata = new Dictionary<string, string> { ["version"] = "7" },
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
        });
        Assert.Equal(201, uploaded.GetRawResponse().Status);
        Assert.Equal(MD5.HashData(bytes), uploaded.Value.ContentHash);

        var downloaded = (await blob.DownloadContentAsync()).Value;
        Assert.Equal(bytes, downloaded.Content.ToArray());
        Assert.Equal("application/json", downloaded.Details.ContentType);
        Assert.Equal("gzip", downloaded.Details.ContentEncoding);
        Assert.Equal("public, max-age=31536000, immutable", downloaded.Details.CacheControl);
        Assert.Equal(uploaded.Value.ETag, downloaded.Details.ETag);
        Assert.Equal("7", downloaded.Details.Metadata["version"]);

        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal(bytes.Length, properties.ContentLength);
        Assert.Equal(("application/json", "gzip", "public, max-age=31536000, immutable"), (properties.ContentType, properties.ContentEncoding, properties.CacheControl));
        Assert.Equal(uploaded.Value.ETag, properties.ETag);
        Assert.Equal("BlockBlob", properties.BlobType);
        Assert.True((await blob.ExistsAsync()).Value);
        Assert.False((await container.GetBlobClient("lists/eu/absent").ExistsAsync()).Value);
    }

    [Fact]
    public async Task Create_only_upload_of_an_existing_blob_fails_and_keeps_the_first_bytes()
    {
        var container = await NewContainerAsync();
        var blob = container.GetBlobClient("immutable.json");
        var first = await blob.UploadAsync(BinaryData.FromString("first"));

        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => blob.UploadAsync(BinaryData.FromString("second")));
        Assert.Equal(409, conflict.Status);
        Assert.Equal("BlobAlreadyExists", conflict.ErrorCode);
        var explicitOptions = await Assert.ThrowsAsync<RequestFailedException>(() => blob.UploadAsync(BinaryData.FromString("third"), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }));
        Assert.Equal(409, explicitOptions.Status);

        var content = (await blob.DownloadContentAsync()).Value;
        Assert.Equal("first", content.Content.ToString());
        Assert.Equal(first.Value.ETag, content.Details.ETag);

        var overwritten = await blob.UploadAsync(BinaryData.FromString("fourth"), overwrite: true);
        Assert.NotEqual(first.Value.ETag, overwritten.Value.ETag);
        Assert.Equal("fourth", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task If_Match_upload_succeeds_only_against_the_current_ETag()
    {
        var container = await NewContainerAsync();
        var blob = container.GetBlobClient("manifest.json");
        var first = await blob.UploadAsync(BinaryData.FromString("v1"), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { CacheControl = "no-cache" } });
        var second = await blob.UploadAsync(BinaryData.FromString("v2"), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = first.Value.ETag } });

        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => blob.UploadAsync(BinaryData.FromString("v3"), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfMatch = first.Value.ETag } }));
        Assert.Equal((412, "ConditionNotMet"), (stale.Status, stale.ErrorCode));
        Assert.Equal("v2", (await blob.DownloadContentAsync()).Value.Content.ToString());

        var staleRead = await Assert.ThrowsAsync<RequestFailedException>(() => blob.DownloadContentAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = first.Value.ETag } }));
        Assert.Equal(412, staleRead.Status);
        Assert.Equal("v2", (await blob.DownloadContentAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = second.Value.ETag } })).Value.Content.ToString());
    }

    [Fact]
    public async Task Download_of_a_missing_blob_fails_with_404_BlobNotFound()
    {
        var container = await NewContainerAsync();
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => container.GetBlobClient("nothing").DownloadContentAsync());
        Assert.Equal((404, "BlobNotFound"), (error.Status, error.ErrorCode));
        var head = await Assert.ThrowsAsync<RequestFailedException>(() => container.GetBlobClient("nothing").GetPropertiesAsync());
        Assert.Equal((404, "BlobNotFound"), (head.Status, head.ErrorCode));
    }

    [Fact]
    public async Task Listing_by_prefix_pages_through_exactly_the_matching_blobs_in_name_order()
    {
        var container = await NewContainerAsync();
        var etags = new Dictionary<string, ETag>();
        foreach (var name in Enumerable.Range(0, 7).Select(i => $"lists/eu/v/{i}/delta.json").Append("lists/eu/ümlaut name.json").Concat(["lists/us/v/1/delta.json", "lists/euro.json", "keys.json"]))
        {
            etags[name] = (await container.GetBlobClient(name).UploadAsync(BinaryData.FromString(name), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } })).Value.ETag;
        }

        var pages = await container.GetBlobsAsync(prefix: "lists/eu/").AsPages(pageSizeHint: 3).ToListAsync();
        Assert.Equal([3, 3, 2], pages.Select(p => p.Values.Count));
        var items = pages.SelectMany(p => p.Values).ToList();
        var expected = etags.Keys.Where(n => n.StartsWith("lists/eu/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, items.Select(i => i.Name));
        Assert.All(items, i => Assert.Equal(etags[i.Name], i.Properties.ETag));
        Assert.All(items, i => Assert.Equal(("application/json", (long)Encoding.UTF8.GetByteCount(i.Name)), (i.Properties.ContentType, i.Properties.ContentLength!.Value)));

        Assert.Equal(11, (await container.GetBlobsAsync().ToListAsync()).Count);
        Assert.Empty(await container.GetBlobsAsync("nothing/").ToListAsync());
    }
}
