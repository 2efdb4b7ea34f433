using System.Globalization;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Tests.Publishing;

/// <summary>The updates steps are computed once per list, head version and since, and recomputed when the head moves on.</summary>
public sealed class StepsCacheTests
{
    private readonly MemoryRowStore _rows = new();
    private readonly PublishStorageNames _names = new();

    [Fact]
    public async Task Polls_at_the_same_head_and_since_share_one_query_and_a_new_head_queries_again()
    {
        await AddVersionsAsync(1, 2, 3);
        var counting = new CountingRows(_rows);
        var reader = new ListReader(counting, new MemoryBlobStore(), _names, Options.Create(new PublishingOptions()), TimeProvider.System,
            new StorageOutageSignal(TimeProvider.System, NullLogger<StorageOutageSignal>.Instance));
        var v3 = new PublishedHead("eu", 3, "m3", 0, null, 0);

        var first = await reader.StepsAsync(v3, 1, CancellationToken.None);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => reader.StepsAsync(v3, 1, CancellationToken.None)));
        Assert.Equal(1, counting.Queries);
        Assert.Equal(new long[] { 2L, 3L }, first.Select(s => s.Version).ToArray());
        Assert.All(concurrent, steps => Assert.Same(first, steps));
        Assert.Equal("sha-2", first[0].Sha256);

        var fromZero = await reader.StepsAsync(v3, 0, CancellationToken.None);
        Assert.Equal(2, counting.Queries);
        Assert.Equal(new long[] { 1L, 2L, 3L }, fromZero.Select(s => s.Version).ToArray());

        await AddVersionsAsync(4);
        var v4 = new PublishedHead("eu", 4, "m4", 0, null, 0);
        var after = await reader.StepsAsync(v4, 1, CancellationToken.None);
        Assert.Equal(3, counting.Queries);
        Assert.Equal(new long[] { 2L, 3L, 4L }, after.Select(s => s.Version).ToArray());

        // a poll still holding the older head is answered right, without evicting the newer answers
        Assert.Equal(new long[] { 2L, 3L }, (await reader.StepsAsync(v3, 1, CancellationToken.None)).Select(s => s.Version).ToArray());
        await reader.StepsAsync(v4, 1, CancellationToken.None);
        Assert.Equal(4, counting.Queries);
        Assert.Empty(await reader.StepsAsync(v4, 4, CancellationToken.None));
        Assert.Equal(4, counting.Queries);
    }

    private Task AddVersionsAsync(params IEnumerable<long> versions) => _rows.UpsertAsync(_names.Versions, versions.Select(v => VersionRows.ToRow(new VersionRecord(
        "eu", v, Created: null, EntryCount: 0, Added: 0, Removed: 0, $"sha-{v}", 100L + v, ManifestSha256: null, SnapshotVersion: 0, SnapshotSize: 0, LogSize: 0, LogRoot: null, Plan: null))).ToList(), CancellationToken.None);

    /// <summary>Counts range queries; everything else passes through.</summary>
    private sealed class CountingRows(IRowStore inner) : DelegatingRowStore(inner)
    {
        private int _queries;

        public int Queries => _queries;

        public override IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _queries);
            return Inner.QueryAsync(table, partitionKey, fromRowKey, toRowKey, cancellationToken);
        }
    }
}
