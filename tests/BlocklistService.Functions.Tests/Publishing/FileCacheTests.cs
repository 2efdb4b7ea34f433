using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Publishing;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Tests.Publishing;

/// <summary>
/// A version's files are fetched by every ISP within one poll interval: an immutable file is read from storage once,
/// concurrent requests share that read, and later ones are served from memory; the current pointer and files not yet
/// published are read every time.
/// </summary>
public sealed class FileCacheTests
{
    private static readonly ListName Eu = ListName.Parse("eu");
    private readonly MemoryBlobStore _blobs = new();
    private readonly PublishStorageNames _names = new();

    [Fact]
    public async Task An_immutable_file_is_read_once_however_many_ask_and_even_while_storage_is_down()
    {
        await PutAsync("v/1/delta.json.gz", [1, 2, 3]);
        var counting = new CountingBlobs(_blobs);
        var reader = Reader(counting);

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => reader.FileAsync(Eu, "v/1/delta.json.gz", CancellationToken.None)));
        counting.Failing = true;
        var later = await reader.FileAsync(Eu, "v/1/delta.json.gz", CancellationToken.None);

        Assert.Equal(1, counting.Reads);
        Assert.All(concurrent, file => Assert.Equal(new byte[] { 1, 2, 3 }, file!.Content));
        Assert.Equal(new byte[] { 1, 2, 3 }, later!.Content);
    }

    [Fact]
    public async Task The_current_pointer_and_a_file_not_yet_published_are_read_every_time()
    {
        await PutAsync("manifest.json", [7]);
        var counting = new CountingBlobs(_blobs);
        var reader = Reader(counting);

        await reader.FileAsync(Eu, "manifest.json", CancellationToken.None);
        await reader.FileAsync(Eu, "manifest.json", CancellationToken.None);
        Assert.Null(await reader.FileAsync(Eu, "v/2/delta.json.gz", CancellationToken.None));
        await PutAsync("v/2/delta.json.gz", [9]);
        var published = await reader.FileAsync(Eu, "v/2/delta.json.gz", CancellationToken.None);

        Assert.Equal(4, counting.Reads);
        Assert.Equal(new byte[] { 9 }, published!.Content);
    }

    [Fact]
    public async Task A_failed_read_is_not_remembered()
    {
        await PutAsync("v/1/snapshot.json.gz", [5]);
        var counting = new CountingBlobs(_blobs) { Failing = true };
        var reader = Reader(counting);

        await Assert.ThrowsAsync<Azure.RequestFailedException>(() => reader.FileAsync(Eu, "v/1/snapshot.json.gz", CancellationToken.None));
        counting.Failing = false;

        Assert.Equal(new byte[] { 5 }, (await reader.FileAsync(Eu, "v/1/snapshot.json.gz", CancellationToken.None))!.Content);
    }

    private ListReader Reader(IBlobStore blobs) => new(new MemoryRowStore(), blobs, _names, Options.Create(new PublishingOptions()), TimeProvider.System,
        new StorageOutageSignal(TimeProvider.System, NullLogger<StorageOutageSignal>.Instance));

    private Task PutAsync(string relativePath, byte[] content) =>
        _blobs.PutIfAbsentAsync(_names.ArtifactsContainer, ArtifactPaths.Resolve(Eu, ListFeed.Plain, relativePath), content, "application/octet-stream", "no-cache", CancellationToken.None);

    /// <summary>Counts reads and can fail them as unreachable storage does (status 0); writes pass through.</summary>
    private sealed class CountingBlobs(IBlobStore inner) : IBlobStore
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public volatile bool Failing;

        public async Task<StoredBlob?> GetAsync(string container, string name, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            await Task.Delay(20, cancellationToken); // long enough for concurrent requests to find the read in flight
            return Failing ? throw new Azure.RequestFailedException(0, "storage unreachable") : await inner.GetAsync(container, name, cancellationToken);
        }

        public Task<BlobPutResult> PutIfAbsentAsync(string container, string name, byte[] content, string contentType, string cacheControl, CancellationToken cancellationToken) =>
            inner.PutIfAbsentAsync(container, name, content, contentType, cacheControl, cancellationToken);

        public Task OverwriteAsync(string container, string name, byte[] content, string contentType, string cacheControl, CancellationToken cancellationToken) =>
            inner.OverwriteAsync(container, name, content, contentType, cacheControl, cancellationToken);
    }
}
