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
/// The refresh of the whole key partition every half TTL while the instance is in use (<see cref="KeyCacheRefresher"/>):
/// polls find their key cached instead of costing a point read each, and a revocation made on another instance is
/// read by the next refresh, so it still holds within the TTL.
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
    public async Task The_refresher_reads_the_partition_while_keys_are_looked_up_and_not_while_the_instance_is_idle()
    {
        var rows = new CountingQueries(new MemoryRowStore());
        var options = Options.Create(new AuthOptions { KeyCacheTtl = TimeSpan.FromMilliseconds(400) });
        var keys = new ApiKeyStore(rows, TimeProvider.System, options);
        var startup = new StorageStartup(TimeProvider.System);
        startup.MarkReady();
        using var refresher = new KeyCacheRefresher(keys, startup, options, TimeProvider.System, NullLogger<KeyCacheRefresher>.Instance);
        await refresher.StartAsync(default);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(0, rows.Queries);

            // in use: a key issued on another instance is cached here without any request reading it
            var (issued, _) = await new ApiKeyStore(rows, TimeProvider.System, options).IssueAsync(Roles.Isp, "elsewhere", ["eu"], default);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            var cached = false;
            while (!cached && DateTime.UtcNow < deadline)
            {
                _ = keys.TryGetCached("unknown", out _); // a request's lookup: the instance is in use
                await Task.Delay(50);
                cached = keys.TryGetCached(issued.KeyId, out _);
            }

            Assert.True(cached);
            Assert.True(rows.Queries >= 1);
        }
        finally
        {
            await refresher.StopAsync(default);
        }
    }

    /// <summary>Counts queries of the key partition.</summary>
    private sealed class CountingQueries(IRowStore inner) : DelegatingRowStore(inner)
    {
        private int _queries;

        public int Queries => Volatile.Read(ref _queries);

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
