using System.Runtime.CompilerServices;
using Azure;
using BlocklistService.Functions.Publishing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Support;

/// <summary>How the storage behind the seam fails while an outage is on.</summary>
public enum OutageKind
{
    /// <summary>Every call fails at once, as the SDK does when a connection is refused (status 0).</summary>
    Refused,

    /// <summary>
    /// Every call hangs until the caller gives up or the client's network timeout (<see cref="StorageOutage.NetworkTimeout"/>)
    /// ends it with a <see cref="TaskCanceledException"/>, as the SDK does when storage is frozen.
    /// </summary>
    Frozen,
}

/// <summary>
/// A storage outage injected at the <see cref="IRowStore"/> seam of the real server: wraps whatever row store the
/// composition registered, and, while <see cref="Start"/>ed, fails the calls on the named tables.
/// </summary>
public sealed class StorageOutage
{
    /// <summary>The request-path network timeout the frozen storage runs into (the SDK's, set per caller).</summary>
    public static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(3);

    private const int None = -1;

    private int _kind = None;
    private volatile IReadOnlySet<string> _tables = new HashSet<string>();

    public void Start(OutageKind kind, params string[] tables)
    {
        _tables = new HashSet<string>(tables, StringComparer.Ordinal);
        Volatile.Write(ref _kind, (int)kind);
    }

    public void End() => Volatile.Write(ref _kind, None);

    /// <summary>Replaces the registered <see cref="IRowStore"/> with one that goes through this outage.</summary>
    public void Install(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IRowStore));
        services.Remove(registered);
        services.AddSingleton<IRowStore>(provider => new Faulty(this, registered switch
        {
            { ImplementationInstance: IRowStore instance } => instance,
            { ImplementationFactory: { } factory } => (IRowStore)factory(provider),
            _ => (IRowStore)ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!),
        }));
    }

    private async Task FailIfDownAsync(string table, CancellationToken cancellationToken)
    {
        var kind = Volatile.Read(ref _kind);
        if (kind == None || !_tables.Contains(table))
        {
            return;
        }

        if ((OutageKind)kind == OutageKind.Frozen)
        {
            await Task.Delay(NetworkTimeout, cancellationToken);
            throw new TaskCanceledException($"The operation was cancelled because it exceeded the configured timeout of {NetworkTimeout}.", new TimeoutException());
        }

        throw new RequestFailedException(0, "Connection refused (injected storage outage)");
    }

    private sealed class Faulty(StorageOutage outage, IRowStore inner) : IRowStore
    {
        public async Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
        {
            await outage.FailIfDownAsync(table, cancellationToken);
            return await inner.GetAsync(table, partitionKey, rowKey, cancellationToken);
        }

        public async IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await outage.FailIfDownAsync(table, cancellationToken);
            await foreach (var row in inner.QueryAsync(table, partitionKey, fromRowKey, toRowKey, cancellationToken))
            {
                yield return row;
            }
        }

        public async IAsyncEnumerable<Row> QueryAllAsync(string table, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await outage.FailIfDownAsync(table, cancellationToken);
            await foreach (var row in inner.QueryAllAsync(table, cancellationToken))
            {
                yield return row;
            }
        }

        public async Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken)
        {
            await outage.FailIfDownAsync(table, cancellationToken);
            return await inner.AddAsync(table, row, cancellationToken);
        }

        public async Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken)
        {
            await outage.FailIfDownAsync(table, cancellationToken);
            return await inner.UpdateAsync(table, row, ifMatch, cancellationToken);
        }

        public async Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken)
        {
            await outage.FailIfDownAsync(table, cancellationToken);
            await inner.UpsertAsync(table, rows, cancellationToken);
        }

        public async Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken)
        {
            await outage.FailIfDownAsync(table, cancellationToken);
            await inner.DeleteAsync(table, keys, cancellationToken);
        }
    }
}
