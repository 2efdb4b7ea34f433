using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Tests.Support;

/// <summary>A row store that passes every call to <paramref name="inner"/>; tests override the calls they interleave with or fail.</summary>
public abstract class DelegatingRowStore(IRowStore inner) : IRowStore
{
    protected IRowStore Inner => inner;

    public virtual Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        inner.GetAsync(table, partitionKey, rowKey, cancellationToken);

    public virtual IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, CancellationToken cancellationToken) =>
        inner.QueryAsync(table, partitionKey, fromRowKey, toRowKey, cancellationToken);

    public virtual IAsyncEnumerable<Row> QueryAllAsync(string table, CancellationToken cancellationToken) => inner.QueryAllAsync(table, cancellationToken);

    public virtual Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken) => inner.AddAsync(table, row, cancellationToken);

    public virtual Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken) =>
        inner.UpdateAsync(table, row, ifMatch, cancellationToken);

    public virtual Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken) => inner.UpsertAsync(table, rows, cancellationToken);

    public virtual Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken) =>
        inner.DeleteAsync(table, keys, cancellationToken);

    public virtual Task SubmitAsync(string table, IReadOnlyList<RowAction> actions, CancellationToken cancellationToken) =>
        inner.SubmitAsync(table, actions, cancellationToken);
}
