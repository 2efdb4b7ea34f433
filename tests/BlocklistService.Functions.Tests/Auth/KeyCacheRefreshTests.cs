using System.Runtime.CompilerServices;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Functions.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Tests.Auth;

/// <summary>
/// Keeping cached key rows current while the instance is in use (<see cref="KeyCacheRefresher"/>): polls find their key
/// cached instead of costing a point read each; every half TTL one read of the revocation marker confirms the cache, and
/// a revocation on any instance (which rewrites the marker) makes the next look read every key row, so it still holds
/// within the TTL.
/// </summary>
public sealed class KeyCacheRefreshTests
{
    private static readonly IOptions<AuthOptions> FiveSeconds = Options.Create(new AuthOptions { KeyCacheTtl = TimeSpan.FromSeconds(5) });

    [Fact]
    public async Task A_refresh_keeps_rows_cached_past_their_ttl_and_reads_a_revocation_made_elsewhere()
    {
        var rows = new MemoryRowStore();
        var clock = new ManualTime(DateTimeOffset.UtcNow);
        var here = new ApiKeyStore(rows, clock, FiveSeconds);
        var elsewhere = new ApiKeyStore(rows, clock, FiveSeconds);
        var (key, _) = await elsewhere.IssueAsync(Roles.Isp, "isp", ["eu"], default);

        Assert.Equal(1, await here.RefreshAllAsync(default));
        Assert.True(here.TryGetCached(key.KeyId, out var first));
        clock.Advance(TimeSpan.FromSeconds(4));
        await here.RefreshAllAsync(default);
        clock.Advance(TimeSpan.FromSeconds(4));

        // eight seconds after the first read, still cached, and the very instance callers were built from (unchanged row)
        Assert.True(here.TryGetCached(key.KeyId, out var refreshed));
        Assert.Same(first, refreshed);

        await elsewhere.RevokeAsync(key.KeyId, default);
        await here.RefreshAllAsync(default);
        Assert.True(here.TryGetCached(key.KeyId, out var revoked));
        Assert.True(revoked.IsRevoked);
    }

    [Fact]
    public async Task Without_a_refresh_a_row_expires_at_its_ttl()
    {
        var rows = new MemoryRowStore();
        var clock = new ManualTime(DateTimeOffset.UtcNow);
        var keys = new ApiKeyStore(rows, clock, FiveSeconds);
        var (key, _) = await keys.IssueAsync(Roles.Isp, "isp", ["eu"], default);
        await keys.RefreshAllAsync(default);

        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.False(keys.TryGetCached(key.KeyId, out _));
    }

    [Fact]
    public async Task A_revocation_rewrites_the_marker_and_a_retried_one_rewrites_it_again()
    {
        var rows = new MemoryRowStore();
        var keys = new ApiKeyStore(rows, TimeProvider.System, FiveSeconds);
        var (key, _) = await keys.IssueAsync(Roles.Isp, "isp", ["eu"], default);
        Assert.Null(await keys.RevocationMarkerAsync(default));

        await keys.RevokeAsync(key.KeyId, default);
        var first = await keys.RevocationMarkerAsync(default);
        Assert.NotNull(first);

        // a retry (the first marker write may have been lost) writes it again
        Assert.True((await keys.RevokeAsync(key.KeyId, default))!.IsRevoked);
        Assert.NotEqual(first, await keys.RevocationMarkerAsync(default));

        // an unknown key writes nothing
        var before = await keys.RevocationMarkerAsync(default);
        Assert.Null(await keys.RevokeAsync("0000000000000000", default));
        Assert.Equal(before, await keys.RevocationMarkerAsync(default));
    }

    [Fact]
    public async Task Confirming_the_cache_renews_the_rows_read_since_the_last_look_and_no_others()
    {
        var rows = new MemoryRowStore();
        var clock = new ManualTime(DateTimeOffset.UtcNow);
        var keys = new ApiKeyStore(rows, clock, FiveSeconds);
        var (old, _) = await keys.IssueAsync(Roles.Isp, "old", ["eu"], default);
        await keys.FindForRequestAsync(old.KeyId, default);
        clock.Advance(TimeSpan.FromSeconds(1));
        var since = clock.GetUtcNow();
        var (recent, _) = await keys.IssueAsync(Roles.Isp, "recent", ["eu"], default);
        await keys.FindForRequestAsync(recent.KeyId, default);
        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(1, keys.ConfirmCached(since, clock.GetUtcNow()));
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.True(keys.TryGetCached(recent.KeyId, out _));   // renewed 4 s ago
        Assert.False(keys.TryGetCached(old.KeyId, out _));     // read 7 s ago, before the last look: expired
    }

    [Fact]
    public async Task With_more_keys_than_the_cache_holds_nothing_is_cached()
    {
        var rows = new MemoryRowStore();
        var keys = new ApiKeyStore(rows, TimeProvider.System, Options.Create(new AuthOptions { KeyCacheTtl = TimeSpan.FromSeconds(5), KeyCacheSize = 2 }));
        var issued = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            issued.Add((await keys.IssueAsync(Roles.Isp, $"isp-{i}", ["eu"], default)).Key.KeyId);
        }

        Assert.Equal(0, await keys.RefreshAllAsync(default));
        Assert.All(issued, id => Assert.False(keys.TryGetCached(id, out _)));
    }

    [Fact]
    public async Task The_refresher_reads_the_marker_while_in_use_reads_every_row_after_a_revocation_and_nothing_while_idle()
    {
        var rows = new CountingReads(new MemoryRowStore());
        // a look every second: a row confirmed at each look outlives its 2 s TTL even when a look comes late on a busy machine
        var options = Options.Create(new AuthOptions { KeyCacheTtl = TimeSpan.FromSeconds(2) });
        var keys = new ApiKeyStore(rows, TimeProvider.System, options);
        var elsewhere = new ApiKeyStore(rows, TimeProvider.System, options);
        var startup = new StorageStartup(TimeProvider.System);
        startup.MarkReady();
        using var refresher = new KeyCacheRefresher(keys, startup, options, TimeProvider.System, NullLogger<KeyCacheRefresher>.Instance);
        await refresher.StartAsync(default);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Equal((0, 0), (rows.Queries, rows.MarkerReads));

            // in use: a key issued on another instance is cached here by the first look's full read
            var (issued, _) = await elsewhere.IssueAsync(Roles.Isp, "elsewhere", ["eu"], default);
            Assert.True(await InUseUntilAsync(keys, () => keys.TryGetCached(issued.KeyId, out _)));

            // then only the marker is read, and the row stays cached past its TTL
            var queries = rows.Queries;
            var markers = rows.MarkerReads;
            await InUseUntilAsync(keys, () => false, TimeSpan.FromSeconds(3.5));
            Assert.Equal(queries, rows.Queries);
            Assert.True(rows.MarkerReads >= markers + 2, $"{rows.MarkerReads - markers} marker reads");
            Assert.True(keys.TryGetCached(issued.KeyId, out var cached) && !cached.IsRevoked);

            // revoked elsewhere: the marker changes, the next look reads every row
            await elsewhere.RevokeAsync(issued.KeyId, default);
            Assert.True(await InUseUntilAsync(keys, () => keys.TryGetCached(issued.KeyId, out var row) && row.IsRevoked));
            Assert.True(rows.Queries > queries);
        }
        finally
        {
            await refresher.StopAsync(default);
        }
    }

    [Fact]
    public async Task After_the_warm_up_the_refresher_reads_only_the_marker()
    {
        var rows = new CountingReads(new MemoryRowStore());
        var options = Options.Create(new AuthOptions { KeyCacheTtl = TimeSpan.FromSeconds(2) });
        var keys = new ApiKeyStore(rows, TimeProvider.System, options);
        var (key, _) = await keys.IssueAsync(Roles.Isp, "isp", ["eu"], default);
        await new KeyCacheWarmUp(keys, TimeProvider.System, NullLogger<KeyCacheWarmUp>.Instance).RunAsync(default);
        Assert.Equal(1, rows.Queries);

        var startup = new StorageStartup(TimeProvider.System);
        startup.MarkReady();
        using var refresher = new KeyCacheRefresher(keys, startup, options, TimeProvider.System, NullLogger<KeyCacheRefresher>.Instance);
        await refresher.StartAsync(default);
        try
        {
            var markers = rows.MarkerReads;
            await InUseUntilAsync(keys, () => false, TimeSpan.FromSeconds(3.5));
            Assert.Equal(1, rows.Queries);
            Assert.True(rows.MarkerReads >= markers + 2, $"{rows.MarkerReads - markers} marker reads");
            Assert.True(keys.TryGetCached(key.KeyId, out _));
        }
        finally
        {
            await refresher.StopAsync(default);
        }
    }

    /// <summary>Looks keys up (the instance is in use) until <paramref name="done"/> or the time is up; whether it got done.</summary>
    private static async Task<bool> InUseUntilAsync(ApiKeyStore keys, Func<bool> done, TimeSpan? atMost = null)
    {
        var deadline = DateTime.UtcNow + (atMost ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            _ = keys.TryGetCached("unknown", out _);
            if (done())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    /// <summary>Counts queries of the key partition and reads of the revocation marker.</summary>
    private sealed class CountingReads(IRowStore inner) : DelegatingRowStore(inner)
    {
        private int _queries;
        private int _markerReads;

        public int Queries => Volatile.Read(ref _queries);

        public int MarkerReads => Volatile.Read(ref _markerReads);

        public override Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
        {
            if (table == ApiKeyRows.Table && partitionKey == ApiKeyRows.MarkerPartition)
            {
                Interlocked.Increment(ref _markerReads);
            }

            return Inner.GetAsync(table, partitionKey, rowKey, cancellationToken);
        }

        public override async IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (table == ApiKeyRows.Table)
            {
                Interlocked.Increment(ref _queries);
            }

            await foreach (var row in Inner.QueryAsync(table, partitionKey, fromRowKey, toRowKey, cancellationToken))
            {
                yield return row;
            }
        }
    }
}
