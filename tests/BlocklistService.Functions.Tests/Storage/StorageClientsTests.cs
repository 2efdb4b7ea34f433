using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure;
using Azure.Data.Tables;
using Azure.Identity;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Stores;
using BlocklistService.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlocklistService.Functions.Tests.Storage;

/// <summary>
/// The clients <see cref="StorageClients"/> builds carry the retry policy of their caller: against a storage
/// endpoint that accepts connections and never answers, the request path gives up after exactly its tries, each
/// cut off at its network timeout, and the publisher's policy is applied as configured.
/// </summary>
public sealed class StorageClientsTests
{
    [Fact]
    public async Task The_request_path_gives_up_on_a_silent_endpoint_inside_the_five_second_budget()
    {
        await using var silent = SilentEndpoint.Start();
        var options = new StorageOptions { ConnectionString = silent.ConnectionString };
        var (tables, _) = StorageClients.Create(options, StorageCaller.RequestPath, () => throw new InvalidOperationException("no credential with a connection string"), Outage());

        var clock = Stopwatch.StartNew();
        // Exhausted retries after timeouts surface as AggregateException (one TaskCanceledException per try), not RequestFailedException.
        var failure = await Assert.ThrowsAsync<AggregateException>(() =>
            tables.GetTableClient("keys").GetEntityIfExistsAsync<TableEntity>("p", "r", cancellationToken: CancellationToken.None));
        clock.Stop();

        // Every try waited its full network timeout, and no more tries were made than configured. The budget itself is
        // asserted on the computed worst case; the measured time only has to rule out the SDK's defaults (100 s tries).
        Assert.Equal(options.RequestPath.MaxRetries + 1, failure.InnerExceptions.Count);
        Assert.All(failure.InnerExceptions, e => Assert.IsType<TaskCanceledException>(e));
        Assert.InRange(clock.Elapsed, options.RequestPath.NetworkTimeout * (options.RequestPath.MaxRetries + 1), TimeSpan.FromSeconds(15));
        Assert.True(options.RequestPath.WorstCase() < TimeSpan.FromSeconds(5), $"worst case {options.RequestPath.WorstCase()}");
    }

    [Fact]
    public async Task The_publisher_uses_its_own_retry_policy_not_the_request_path_one()
    {
        await using var silent = SilentEndpoint.Start();
        var options = new StorageOptions
        {
            ConnectionString = silent.ConnectionString,
            Publisher = new StorageRetryOptions
            {
                NetworkTimeout = TimeSpan.FromMilliseconds(200),
                MaxRetries = 3,
                Delay = TimeSpan.FromMilliseconds(10),
                MaxDelay = TimeSpan.FromMilliseconds(20),
            },
        };
        var (_, blobs) = StorageClients.Create(options, StorageCaller.Publisher, () => throw new InvalidOperationException("no credential with a connection string"));

        var failure = await Assert.ThrowsAsync<AggregateException>(() =>
            blobs.GetBlobContainerClient("artifacts").GetBlobClient("a").DownloadContentAsync(CancellationToken.None));

        Assert.Equal(4, failure.InnerExceptions.Count);
    }

    [Fact]
    public async Task Within_one_request_storage_that_failed_once_is_not_tried_again()
    {
        await using var silent = SilentEndpoint.Start();
        var options = new StorageOptions
        {
            ConnectionString = silent.ConnectionString,
            RequestPath = new StorageRetryOptions { NetworkTimeout = TimeSpan.FromMilliseconds(300), MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(10) },
        };
        var (tables, blobs) = StorageClients.Create(options, StorageCaller.RequestPath, () => throw new InvalidOperationException("no credential with a connection string"), Outage());
        Task<NullableResponse<TableEntity>> Read() => tables.GetTableClient("keys").GetEntityIfExistsAsync<TableEntity>("p", "r", cancellationToken: CancellationToken.None);

        var (first, second, secondTook) = await Task.Run(async () =>
        {
            RequestStorageScope.Begin(); // what the request middleware does
            var first = await Assert.ThrowsAsync<AggregateException>(Read);
            var clock = Stopwatch.StartNew();
            var second = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => blobs.GetBlobContainerClient("artifacts").GetBlobClient("a").DownloadContentAsync(CancellationToken.None));
            return (first, second, clock.Elapsed);
        });
        var outsideRequest = await Assert.ThrowsAsync<AggregateException>(Read);

        Assert.Equal(2, first.InnerExceptions.Count);
        Assert.Equal(0, second.Status);
        Assert.True(StorageFailures.IsUnavailable(second), "the fail-fast answer must map to 503 like the failure it repeats");
        Assert.True(secondTook < options.RequestPath.NetworkTimeout, $"the second call took {secondTook}");
        Assert.Equal(2, outsideRequest.InnerExceptions.Count);
    }

    [Fact]
    public void The_default_publisher_policy_is_more_patient_than_the_request_path()
    {
        var options = new StorageOptions();
        Assert.True(options.Publisher.NetworkTimeout > options.RequestPath.NetworkTimeout);
        Assert.True(options.Publisher.MaxRetries > options.RequestPath.MaxRetries);
    }

    [Theory]
    [InlineData(null, null, null, "Storage:ConnectionString")]
    [InlineData(null, "https://a.table.core.windows.net", null, "Storage:BlobEndpoint")]
    public void Options_without_a_complete_account_are_refused(string? connection, string? table, string? blob, string expected)
    {
        var options = new StorageOptions
        {
            ConnectionString = connection,
            TableEndpoint = table is null ? null : new Uri(table),
            BlobEndpoint = blob is null ? null : new Uri(blob),
        };

        Assert.Contains(Validate(options), message => message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_retry_policy_out_of_range_is_refused_naming_the_setting()
    {
        var options = new StorageOptions { ConnectionString = "UseDevelopmentStorage=true" };
        options.RequestPath.NetworkTimeout = TimeSpan.Zero;
        options.Publisher.MaxRetries = 50;

        var messages = Validate(options);

        Assert.Contains(messages, m => m.StartsWith("Storage:RequestPath:NetworkTimeout", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Storage:Publisher:MaxRetries", StringComparison.Ordinal));
    }

    [Fact]
    public void A_complete_account_with_default_policies_is_valid()
    {
        Assert.Empty(Validate(new StorageOptions { TableEndpoint = new Uri("https://a.table.core.windows.net"), BlobEndpoint = new Uri("https://a.blob.core.windows.net") }));
    }

    [Fact]
    public void In_Azure_the_credential_is_exactly_the_user_assigned_identity()
    {
        var azure = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ServiceCredential.ClientIdSetting] = "00000000-0000-0000-0000-000000000001" }).Build();
        var local = new ConfigurationBuilder().Build();

        Assert.IsType<ManagedIdentityCredential>(ServiceCredential.Create(azure));
        Assert.IsType<DefaultAzureCredential>(ServiceCredential.Create(local));
    }

    private static StorageOutageSignal Outage() => new(TimeProvider.System, NullLogger<StorageOutageSignal>.Instance);

    private static List<string> Validate(StorageOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage ?? string.Empty).ToList();
    }

    /// <summary>A loopback port that accepts every connection and never answers.</summary>
    private sealed class SilentEndpoint : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly List<TcpClient> _accepted = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private SilentEndpoint()
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _loop = AcceptAsync();
        }

        public string ConnectionString
        {
            get
            {
                var endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/{Azurite.AccountName}");
                return Azurite.BuildConnectionString(endpoint, endpoint);
            }
        }

        public static SilentEndpoint Start() => new();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // stopped
            }

            lock (_accepted)
            {
                _accepted.ForEach(client => client.Dispose());
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_accepted)
                {
                    _accepted.Add(client);
                }
            }
        }
    }
}
