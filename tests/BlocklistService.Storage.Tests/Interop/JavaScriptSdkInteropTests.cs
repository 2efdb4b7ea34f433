using System.IO.Compression;
using System.Text;
using System.Text.Json;
using BlocklistService.Storage.Blobs;
using BlocklistService.Storage.Tables;
using BlocklistService.Testing;

namespace BlocklistService.Storage.Tests.Interop;

/// <summary>
/// Values written with this client read back equal with the official JavaScript SDKs (@azure/data-tables,
/// @azure/storage-blob), and the reverse, on the same Azurite.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class JavaScriptSdkInteropTests(AzuriteFixture storage)
{
    private static readonly string Script = Path.Combine(RepositoryPaths.Root, "tests", "BlocklistService.Storage.Tests", "Interop", "storage-interop.mjs");

    private async Task<string> NodeAsync(string[] arguments, Dictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?>(environment ?? []) { ["AZURE_STORAGE_CONNECTION_STRING"] = storage.ConnectionString };
        var result = await ProcessRunner.RunAsync("node", [Script, .. arguments], environment: variables, timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StandardOutput;
    }

    [Fact]
    public async Task An_entity_written_here_reads_back_with_equal_values_and_types_in_the_JavaScript_SDK()
    {
        var table = new TableClient(storage.ConnectionString, Azurite.UniqueName("interop"));
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("pärt 'a'", "row ü")
        {
            ["Text"] = "Grüße 'aus' Köln – 日本",
            ["Big"] = 9_007_199_254_740_993L,
            ["Small"] = -17,
            ["Ratio"] = 0.125,
            ["Whole"] = 3.0,
            ["Flag"] = true,
            ["When"] = new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.Zero).AddTicks(1_234_567),
            ["Id"] = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
            ["Bytes"] = new byte[] { 0, 1, 254, 255 },
        });

        var output = await NodeAsync(["table-read", table.Name, "pärt 'a'", "row ü"]);
        using var json = JsonDocument.Parse(output);
        var read = json.RootElement;
        (string Value, string Type) Typed(string name) => (read.GetProperty(name).GetProperty("value").ToString(), read.GetProperty(name).GetProperty("type").GetString()!);

        Assert.Equal("pärt 'a'", read.GetProperty("partitionKey").ToString());
        Assert.Equal("row ü", read.GetProperty("rowKey").ToString());
        Assert.Equal(("Grüße 'aus' Köln – 日本", "String"), Typed("Text"));
        Assert.Equal(("9007199254740993", "Int64"), Typed("Big"));
        Assert.Equal(("-17", "Int32"), Typed("Small"));
        Assert.Equal(("0.125", "Double"), Typed("Ratio"));

        // Minimal metadata carries no annotation for a whole-number Double, so every reader (this one included)
        // sees the JSON number 3 and infers Int32; TableEntity.GetDouble converts it back.
        Assert.Equal(("3", "Int32"), Typed("Whole"));
        Assert.Equal(("true", "Boolean"), Typed("Flag"));
        Assert.Equal(("2024-02-29T23:59:58.1234567Z", "DateTime"), Typed("When"));
        Assert.Equal(("0f8fad5b-d9cb-469f-a165-70867728950e", "Guid"), Typed("Id"));
        Assert.Equal((Convert.ToBase64String([0, 1, 254, 255]), "Binary"), Typed("Bytes"));
    }

    [Fact]
    public async Task An_entity_written_by_the_JavaScript_SDK_reads_back_here_with_equal_values_and_types()
    {
        var name = Azurite.UniqueName("interop");
        await NodeAsync(["table-write", name, "js 'p' ä", "js r"]);

        var entity = (await new TableClient(storage.ConnectionString, name).GetEntityAsync("js 'p' ä", "js r")).Value;

        Assert.Equal("Grüße 'aus' Köln – 日本", entity.GetString("Text"));
        Assert.Equal(9_007_199_254_740_993L, Assert.IsType<long>(entity["Big"]));
        Assert.Equal(-17, Assert.IsType<int>(entity["Small"]));
        Assert.Equal(0.125, entity.GetDouble("Ratio"));
        Assert.Equal(3.0, entity.GetDouble("Whole"));
        Assert.Equal(true, entity.GetBoolean("Flag"));
        Assert.Equal(new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.Zero).AddTicks(1_234_567), Assert.IsType<DateTimeOffset>(entity["When"]));
        Assert.Equal(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), Assert.IsType<Guid>(entity["Id"]));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, Assert.IsType<byte[]>(entity["Bytes"]));
    }

    [Fact]
    public async Task A_blob_uploaded_here_downloads_with_equal_bytes_headers_and_ETag_in_the_JavaScript_SDK()
    {
        var container = new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(Azurite.UniqueName("interop"));
        await container.CreateIfNotExistsAsync();
        var bytes = Gzip("{\"version\":7,\"note\":\"Grüße\"}");
        var uploaded = await container.GetBlobClient("lists/eu/manifest ü.json").UploadAsync(BinaryData.FromBytes(bytes), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "application/json", ContentEncoding = "gzip", CacheControl = "no-cache" },
        });

        using var json = JsonDocument.Parse(await NodeAsync(["blob-read", container.Name, "lists/eu/manifest ü.json"]));
        var read = json.RootElement;

        Assert.Equal(bytes, Convert.FromBase64String(read.GetProperty("content").GetString()!));
        Assert.Equal("application/json", read.GetProperty("contentType").GetString());
        Assert.Equal("gzip", read.GetProperty("contentEncoding").GetString());
        Assert.Equal("no-cache", read.GetProperty("cacheControl").GetString());
        Assert.Equal(uploaded.Value.ETag.ToString("H"), read.GetProperty("etag").GetString());
    }

    [Fact]
    public async Task A_blob_uploaded_by_the_JavaScript_SDK_downloads_here_with_equal_bytes_and_headers()
    {
        var name = Azurite.UniqueName("interop");
        var bytes = Gzip("snapshot ✓");
        await NodeAsync(["blob-write", name, "lists/eu/v/1/snapshot.json.gz"], new() { ["BLOB_CONTENT"] = Convert.ToBase64String(bytes) });

        var blob = new BlobServiceClient(storage.ConnectionString).GetBlobContainerClient(name).GetBlobClient("lists/eu/v/1/snapshot.json.gz");
        var downloaded = (await blob.DownloadContentAsync()).Value;

        Assert.Equal(bytes, downloaded.Content.ToArray());
        Assert.Equal(("application/json", "gzip", "public, max-age=60"), (downloaded.Details.ContentType, downloaded.Details.ContentEncoding, downloaded.Details.CacheControl));
        Assert.Equal((await blob.GetPropertiesAsync()).Value.ETag, downloaded.Details.ETag);
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
}
