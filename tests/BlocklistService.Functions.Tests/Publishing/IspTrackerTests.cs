using System.Net;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Publishing;

/// <summary>
/// ISP polls are noted in memory on the request and written to the <c>isps</c> table by the background flush: nothing is
/// lost at a graceful shutdown, and a failed write is retried.
/// </summary>
public sealed class IspTrackerTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly Dictionary<string, string?> RareFlushes = new() { ["Publishing:PollFlushInterval"] = "00:10:00" };

    [Fact]
    public async Task A_poll_is_not_written_on_the_request_but_is_written_when_the_server_stops()
    {
        var api = PublishApi.Create(storage.ConnectionString, RareFlushes);
        ApiKey key;
        await using (api)
        {
            (var isp, key) = await api.ClientForAsync(Roles.Isp, "isp-shutdown", "eu", "uk");
            Assert.Equal(HttpStatusCode.OK, (await isp.GetAsync("/api/v1/lists/eu/updates?since=0")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await isp.GetAsync("/api/v1/lists/uk/updates")).StatusCode);
            Assert.DoesNotContain(await api.RowsAsync(StorageNames.Isps, IspTracker.Partition), r => r.RowKey == key.KeyId);
        }

        await using var after = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?> { ["Storage:TablePrefix"] = api.TablePrefix });
        var row = Assert.Single(await after.RowsAsync(StorageNames.Isps, IspTracker.Partition), r => r.RowKey == key.KeyId);
        Assert.Equal("isp-shutdown", row.GetString("Organisation"));
        Assert.Equal(0, row.GetInt64("Since_eu"));
        Assert.Equal(0, row.GetInt64("Since_uk"));
        Assert.NotNull(row.GetDateTimeOffset("Polled_eu"));
        Assert.NotNull(row.GetDateTimeOffset("LastContact"));
    }

    [Fact]
    public async Task A_poll_whose_write_fails_stays_pending_and_the_next_flush_writes_it()
    {
        var writes = new FlakyIspWrites();
        await using var api = PublishApi.Create(storage.ConnectionString, RareFlushes,
            services => services.AddSingleton<IRowStore>(provider => writes.Around(provider.GetRequiredService<PublishStorage>().Rows)));
        var (isp, key) = await api.ClientForAsync(Roles.Isp, "isp-flaky", "eu");
        var tracker = api.Services.GetRequiredService<IspTracker>();
        Assert.Equal(HttpStatusCode.OK, (await isp.GetAsync("/api/v1/lists/eu/updates?since=0")).StatusCode);

        writes.Failing = true;
        await Assert.ThrowsAnyAsync<Exception>(() => tracker.FlushAsync(CancellationToken.None));
        Assert.Equal(1, tracker.PendingCount);

        writes.Failing = false;
        await tracker.FlushAsync(CancellationToken.None);
        Assert.Equal(0, tracker.PendingCount);
        var row = Assert.Single(await api.RowsAsync(StorageNames.Isps, IspTracker.Partition), r => r.RowKey == key.KeyId);
        Assert.Equal(0, row.GetInt64("Since_eu"));
    }

    /// <summary>Fails upserts to the <c>isps</c> table while <see cref="Failing"/> is set; everything else passes through.</summary>
    private sealed class FlakyIspWrites
    {
        public volatile bool Failing;

        public IRowStore Around(IRowStore inner) => new Rows(inner, this);

        private sealed class Rows(IRowStore inner, FlakyIspWrites owner) : DelegatingRowStore(inner)
        {
            public override Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken) =>
                owner.Failing && table.EndsWith(StorageNames.Isps, StringComparison.Ordinal)
                    ? Task.FromException(new IOException("storage unavailable"))
                    : Inner.UpsertAsync(table, rows, cancellationToken);
        }
    }
}
