using System.Net;
using BlocklistService.Domain.Lists;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Storage;

/// <summary>
/// The memory-store mode of the test server is what the API tests that use it rely on: the request path and the
/// publisher both read and write the one <see cref="MemoryStorage"/>, and two servers given the same one share it.
/// </summary>
public sealed class MemoryStorageApiTests
{
    [Fact]
    public async Task The_request_path_and_the_publisher_read_and_write_the_same_memory_stores()
    {
        var memory = new MemoryStorage();
        await using var api = PublishApi.OnMemoryStores(memory: memory);
        var (hotline, _) = await api.ClientForAsync(Roles.Hotline, "memory-hotline");
        var (isp, _) = await api.ClientForAsync(Roles.Isp, "memory-isp", "eu");

        Assert.Equal(HttpStatusCode.Accepted, (await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://memory.example/page"))))).StatusCode);
        var published = await api.Services.GetRequiredService<PublishRunner>().RunOnceAsync(default);

        Assert.Same(memory.Rows, api.Services.GetRequiredService<IRowStore>());
        Assert.Same(memory.Rows, api.Services.PublisherStorage().Rows);
        Assert.Same(memory.Blobs, api.Services.PublisherStorage().Blobs);
        Assert.Contains(published, r => r.List == "eu" && r.Outcome == ListPublishOutcome.Published && r.Version == 1);
        Assert.NotEmpty(memory.Rows.All(StorageNames.Submissions));
        Assert.Equal(1, ListHeadRows.Read(memory.Rows.All(StorageNames.Lists).Single(r => r.RowKey == "eu")).Version);
        var manifest = await memory.Blobs.GetAsync(StorageNames.ArtifactsContainer, ArtifactPaths.CurrentManifest(ListName.Parse("eu")), default);
        Assert.NotNull(manifest);
        using var served = await isp.GetAsync("/api/v1/lists/eu/manifest");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(manifest.Content, await served.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Two_servers_given_one_memory_storage_share_it_and_others_do_not()
    {
        var memory = new MemoryStorage();
        await using var first = ApiFactory.OnMemoryStores(memory: memory);
        await using var second = ApiFactory.OnMemoryStores(memory: memory);
        await using var elsewhere = ApiFactory.OnMemoryStores();
        var (_, key) = await first.ClientForAsync(Roles.Isp, "shared-isp", "eu");

        using var same = await second.WithKey(key.Value).GetAsync("/api/v1/lists/eu/manifest");
        using var other = await elsewhere.WithKey(key.Value).GetAsync("/api/v1/lists/eu/manifest");

        // no version is published yet: the shared key is known (404 for the manifest), the unknown one is not (401)
        Assert.Equal(HttpStatusCode.NotFound, same.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Throws<InvalidOperationException>(() => first.ConnectionString);
    }
}
