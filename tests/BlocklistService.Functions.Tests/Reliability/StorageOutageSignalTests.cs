using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Publishing;
using BlocklistService.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlocklistService.Functions.Tests.Reliability;

/// <summary>
/// The instance's storage outage signal: down from a request-path call that failed as unavailable until the next call
/// that gets an answer, one background probe at a time while down, and the request path's real SDK clients (on
/// Azurite, and on a port that refuses connections) feeding it.
/// </summary>
public sealed class StorageOutageSignalTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    private StorageOutageSignal NewSignal() => new(_time, NullLogger<StorageOutageSignal>.Instance);

    [Fact]
    public void Storage_is_down_from_a_failed_call_until_the_next_answer()
    {
        var signal = NewSignal();
        Assert.False(signal.IsDown);

        signal.RecordAnswered();
        Assert.False(signal.IsDown);

        signal.RecordUnavailable("AggregateException");
        Assert.True(signal.IsDown);
        signal.RecordUnavailable("status 503");
        Assert.True(signal.IsDown);

        signal.RecordAnswered();
        Assert.False(signal.IsDown);
    }

    [Fact]
    public void A_failure_not_renewed_for_a_while_is_old_news_and_the_next_failure_sets_the_signal_again()
    {
        var signal = NewSignal();
        signal.RecordUnavailable("AggregateException");
        _time.Advance(StorageOutageSignal.StaleAfter - TimeSpan.FromMilliseconds(1));
        signal.RecordUnavailable("AggregateException"); // a probe failed: renewed
        _time.Advance(StorageOutageSignal.StaleAfter - TimeSpan.FromMilliseconds(1));
        Assert.True(signal.IsDown);

        // quiet since: the next request asks storage itself, and no probe starts
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(signal.IsDown);
        Assert.False(signal.TryStartProbe(_ => Task.CompletedTask));

        signal.RecordUnavailable("status 503");
        Assert.True(signal.IsDown);
    }

    [Fact]
    public void No_probe_runs_while_storage_answers()
    {
        var signal = NewSignal();
        var calls = 0;

        Assert.False(signal.TryStartProbe(_ => { Interlocked.Increment(ref calls); return Task.CompletedTask; }));
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task While_down_one_probe_runs_at_a_time_and_not_more_often_than_the_interval()
    {
        var signal = NewSignal();
        signal.RecordUnavailable("RequestFailedException");
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;

        Assert.True(signal.TryStartProbe(_ => { Interlocked.Increment(ref started); return first.Task; }));
        _time.Advance(StorageOutageSignal.ProbeInterval * 4);
        Assert.False(signal.TryStartProbe(_ => { Interlocked.Increment(ref started); return Task.CompletedTask; }));

        // the probe fails (storage still down): the next may start once the interval since the last start has passed
        first.SetException(new TimeoutException());
        await WaitUntilAsync(() => signal.TryStartProbe(_ => { Interlocked.Increment(ref started); return Task.CompletedTask; }));
        await WaitUntilAsync(() => Volatile.Read(ref started) == 2);
        await Task.Delay(50); // the second probe (already complete) has been released
        _time.Advance(StorageOutageSignal.ProbeInterval / 2);
        Assert.False(signal.TryStartProbe(_ => { Interlocked.Increment(ref started); return Task.CompletedTask; }));
        _time.Advance(StorageOutageSignal.ProbeInterval / 2);
        Assert.True(signal.TryStartProbe(_ => { Interlocked.Increment(ref started); return Task.CompletedTask; }));
        await WaitUntilAsync(() => Volatile.Read(ref started) == 3);
    }

    [Fact]
    public async Task Request_path_calls_set_the_signal_when_refused_and_clear_it_when_storage_answers()
    {
        var signal = NewSignal();
        var refused = Tables(ConnectionStringFor(RefusingPort()), signal);
        var answering = Tables(storage.ConnectionString, signal);

        await Assert.ThrowsAnyAsync<Exception>(() => refused.GetTableClient("keys").GetEntityIfExistsAsync<TableEntity>("p", "r"));
        Assert.True(signal.IsDown);

        // a missing row is an answer
        var missing = await answering.GetTableClient("keys").GetEntityIfExistsAsync<TableEntity>("p", "r");
        Assert.False(missing.HasValue);
        Assert.False(signal.IsDown);
    }

    [Fact]
    public async Task A_probe_asks_storage_even_when_the_request_that_started_it_is_marked_failed()
    {
        var signal = NewSignal();
        var tables = Tables(storage.ConnectionString, signal);
        signal.RecordUnavailable("AggregateException");

        var (inRequest, started) = await Task.Run(async () =>
        {
            RequestStorageScope.Begin(); // what the request middleware does
            RequestStorageScope.MarkUnavailable("storage down on this instance");
            var inRequest = await Record.ExceptionAsync(() => tables.GetTableClient("keys").GetEntityIfExistsAsync<TableEntity>("p", "r"));
            var started = signal.TryStartProbe(ct => tables.GetTableClient("keys").GetEntityIfExistsAsync<TableEntity>("p", "r", cancellationToken: ct));
            return (inRequest, started);
        });

        // the request's own call failed at once without counting as an observation; the probe reached storage
        Assert.Equal(0, Assert.IsType<Azure.RequestFailedException>(inRequest).Status);
        Assert.True(started);
        await WaitUntilAsync(() => !signal.IsDown);
    }

    private static TableServiceClient Tables(string connectionString, StorageOutageSignal signal) =>
        StorageClients.Create(new StorageOptions { ConnectionString = connectionString }, StorageCaller.RequestPath,
            () => throw new InvalidOperationException("no credential with a connection string"), signal).Tables;

    private static string ConnectionStringFor(int port)
    {
        var endpoint = new Uri($"http://127.0.0.1:{port}/{Azurite.AccountName}");
        return Azurite.BuildConnectionString(endpoint, endpoint);
    }

    /// <summary>A loopback port nothing listens on (taken and released): connections to it are refused.</summary>
    private static int RefusingPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 10 s");
            await Task.Delay(20);
        }
    }
}
