using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Tests.Auth;

/// <summary>
/// An instance that starts reads every key row in one query before it says it is ready (<see cref="KeyCacheWarmUp"/>),
/// so a restart under load does not meet every ISP's first poll with a point read each; the warm-up never makes a
/// revocation wait longer than the cache TTL, and never holds start-up back.
/// </summary>
public sealed class KeyCacheWarmUpTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly AuthOptions Caching = new() { KeyCacheTtl = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task An_instance_that_starts_holds_every_key_row_before_its_first_request()
    {
        await using var first = new ApiFactory(storage.ConnectionString);
        var (_, isp) = await first.ClientForAsync(Roles.Isp, "warm-isp", "eu");
        var (_, hotline) = await first.ClientForAsync(Roles.Hotline, "warm-hotline");

        await using var restarted = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?> { ["Storage:TablePrefix"] = first.TablePrefix });
        _ = restarted.Server; // started: the factory waits for start-up, whose last step is the warm-up
        var keys = restarted.Services.GetRequiredService<ApiKeyStore>();
        Assert.True(keys.TryGetCached(isp.KeyId, out var ispRecord));
        Assert.Equal(("warm-isp", Roles.Isp), (ispRecord.Organisation, ispRecord.Role));
        Assert.True(keys.TryGetCached(hotline.KeyId, out _));

        // and the warmed row is what authenticates the key
        Assert.Equal(HttpStatusCode.OK, (await restarted.WithKey(isp.Value).GetAsync("/api/v1/lists/eu/updates")).StatusCode);
    }

    [Fact]
    public async Task Warmed_rows_expire_like_rows_read_by_a_request()
    {
        var rows = new MemoryRowStore();
        var clock = new ManualTime(DateTimeOffset.UtcNow);
        var keys = new ApiKeyStore(rows, clock, Options.Create(Caching));
        var (key, _) = await keys.IssueAsync(Roles.Isp, "isp", ["eu"], default);

        Assert.Equal(1, await keys.RefreshAllAsync(default));
        clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.True(keys.TryGetCached(key.KeyId, out _));
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.False(keys.TryGetCached(key.KeyId, out _));
    }

    [Fact]
    public async Task A_revocation_during_the_warm_up_leaves_nothing_cached_from_it()
    {
        var memory = new MemoryRowStore();
        ApiKeyStore? keys = null;
        string? victim = null;
        var rows = new RevokingDuringQuery(memory, () => keys!.RevokeAsync(victim!, default));
        keys = new ApiKeyStore(rows, TimeProvider.System, Options.Create(Caching));
        var (revoked, _) = await keys.IssueAsync(Roles.Isp, "revoked-isp", ["eu"], default);
        var (other, _) = await keys.IssueAsync(Roles.Isp, "other-isp", ["eu"], default);
        victim = revoked.KeyId;

        Assert.Equal(0, await keys.RefreshAllAsync(default));
        Assert.True(rows.Revoked);
        Assert.False(keys.TryGetCached(revoked.KeyId, out _));
        Assert.False(keys.TryGetCached(other.KeyId, out _));

        // the next request reads the row as it is now
        Assert.True((await keys.FindForRequestAsync(revoked.KeyId, default))!.IsRevoked);
    }

    [Fact]
    public async Task With_the_cache_off_nothing_is_read_or_kept()
    {
        var rows = new MemoryRowStore();
        var keys = new ApiKeyStore(rows, TimeProvider.System, Options.Create(new AuthOptions { KeyCacheTtl = TimeSpan.Zero }));
        var (key, _) = await keys.IssueAsync(Roles.Isp, "isp", ["eu"], default);

        Assert.Equal(0, await keys.RefreshAllAsync(default));
        Assert.False(keys.TryGetCached(key.KeyId, out _));
    }

    [Fact]
    public async Task Storage_that_refuses_or_hangs_does_not_hold_start_up_back()
    {
        var refused = new KeyCacheWarmUp(
            new ApiKeyStore(new FailingQuery(new MemoryRowStore(), hang: false), TimeProvider.System, Options.Create(Caching)),
            TimeProvider.System, NullLogger<KeyCacheWarmUp>.Instance);
        await refused.RunAsync(default);

        var hanging = new KeyCacheWarmUp(
            new ApiKeyStore(new FailingQuery(new MemoryRowStore(), hang: true), TimeProvider.System, Options.Create(Caching)),
            TimeProvider.System, NullLogger<KeyCacheWarmUp>.Instance);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await hanging.RunAsync(default);
        Assert.InRange(clock.Elapsed, KeyCacheWarmUp.Budget - TimeSpan.FromMilliseconds(100), KeyCacheWarmUp.Budget + TimeSpan.FromSeconds(3));
    }

    /// <summary>Revokes a key (through the same store) after the key partition's first row has been read.</summary>
    private sealed class RevokingDuringQuery(IRowStore inner, Func<Task> revoke) : DelegatingRowStore(inner)
    {
        public bool Revoked { get; private set; }

        public override async IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var row in Inner.QueryAsync(table, partitionKey, fromRowKey, toRowKey, cancellationToken))
            {
                yield return row;
                if (table == ApiKeyRows.Table && !Revoked)
                {
                    Revoked = true;
                    await revoke();
                }
            }
        }
    }

    /// <summary>Queries fail as refused storage does (status 0), or hang until the caller gives up.</summary>
    private sealed class FailingQuery(IRowStore inner, bool hang) : DelegatingRowStore(inner)
    {
        public override async IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            else
            {
                throw new RequestFailedException(0, "connection refused");
            }

            yield break;
        }
    }
}
