using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Storage;

/// <summary>
/// What every <see cref="IBlobStore"/> promises, on Azurite and in memory: create-only writes that never replace,
/// overwrites of the current pointers, and <see cref="SignedFiles"/>' byte comparison when a create-only write finds
/// the file already there.
/// </summary>
public sealed class BlobStoreContractTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private const string Container = "artifacts";

    public static TheoryData<string> Backends => PublishWorld.Backends;

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_missing_blob_reads_as_null(string backend)
    {
        var blobs = await BlobsAsync(backend);

        Assert.Null(await blobs.GetAsync(Container, "lists/eu/v/1/absent.json", default));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Put_if_absent_creates_once_and_never_replaces(string backend)
    {
        var blobs = await BlobsAsync(backend);

        Assert.Equal(BlobPutResult.Created, await blobs.PutIfAbsentAsync(Container, "a/b.json", [1, 2, 3], "application/json", SignedFiles.ImmutableCache, default));
        Assert.Equal(BlobPutResult.AlreadyExists, await blobs.PutIfAbsentAsync(Container, "a/b.json", [9], "text/plain", SignedFiles.ImmutableCache, default));

        var stored = (await blobs.GetAsync(Container, "a/b.json", default))!;
        Assert.Equal(new byte[] { 1, 2, 3 }, stored.Content);
        Assert.Equal("application/json", stored.ContentType);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Overwrite_replaces_the_content_and_moves_the_ETag(string backend)
    {
        var blobs = await BlobsAsync(backend);
        await blobs.OverwriteAsync(Container, "lists/eu/manifest.json", [1], "application/json", SignedFiles.NoCache, default);
        var first = (await blobs.GetAsync(Container, "lists/eu/manifest.json", default))!;

        await blobs.OverwriteAsync(Container, "lists/eu/manifest.json", [2, 2], "application/json", SignedFiles.NoCache, default);
        var second = (await blobs.GetAsync(Container, "lists/eu/manifest.json", default))!;

        Assert.Equal(new byte[] { 2, 2 }, second.Content);
        Assert.NotEqual(first.ETag, second.ETag);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_immutable_file_written_again_with_the_same_bytes_is_a_retry_and_with_other_bytes_an_alarm(string backend)
    {
        var blobs = await BlobsAsync(backend);
        var files = new SignedFiles(blobs, PemArtifactSigner.Generate());
        byte[] content = [0x7b, 0x7d];

        await files.WriteImmutableAsync(Container, "lists/eu/v/1/delta.json", content, "application/json", default);
        await files.WriteImmutableAsync(Container, "lists/eu/v/1/delta.json", [.. content], "application/json", default);
        var alarm = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            files.WriteImmutableAsync(Container, "lists/eu/v/1/delta.json", [0x5b, 0x5d], "application/json", default));

        Assert.Contains("different bytes", alarm.Message, StringComparison.Ordinal);
        Assert.Equal(content, (await blobs.GetAsync(Container, "lists/eu/v/1/delta.json", default))!.Content);
        var signature = (await blobs.GetAsync(Container, "lists/eu/v/1/delta.json.sig", default))!.Content;
        Assert.True(files.Verifies(content, signature));
    }

    private async Task<IBlobStore> BlobsAsync(string backend) => (await PublishWorld.CreateAsync(backend, storage)).Blobs;
}
