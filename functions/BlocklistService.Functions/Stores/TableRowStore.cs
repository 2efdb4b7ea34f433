using System.Runtime.CompilerServices;
using Azure;
using BlocklistService.Functions.Publishing;
using Azure.Data.Tables;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// <see cref="IRowStore"/> over Table Storage: point reads, single-partition range queries, create-only adds and
/// If-Match replaces (a 409 / 412 / 404 on those becomes <see cref="RowConflictException"/>), upserts as
/// single-partition transactions of up to 100, and deletes that tolerate rows already gone.
/// </summary>
public sealed class TableRowStore(Func<string, TableClient> tableOf) : IRowStore
{
    private const int MaxPerPage = 1000;

    public async Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var found = await tableOf(table).GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select: null, cancellationToken);
        return found.HasValue ? ToRow(found.Value!) : null;
    }

    public async IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = (fromRowKey, toRowKey) switch
        {
            (null, null) => TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"),
            (not null, null) => TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {fromRowKey}"),
            (null, not null) => TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey lt {toRowKey}"),
            _ => TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {fromRowKey} and RowKey lt {toRowKey}"),
        };
        await foreach (var entity in tableOf(table).QueryAsync<TableEntity>(filter, MaxPerPage, select: null, cancellationToken))
        {
            yield return ToRow(entity);
        }
    }

    public async IAsyncEnumerable<Row> QueryAllAsync(string table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entity in tableOf(table).QueryAsync<TableEntity>(filter: (string?)null, MaxPerPage, select: null, cancellationToken))
        {
            yield return ToRow(entity);
        }
    }

    public async Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken)
    {
        try
        {
            var response = await tableOf(table).AddEntityAsync(ToEntity(row), cancellationToken);
            return response.Headers.ETag?.ToString() ?? string.Empty;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            throw new RowConflictException($"{table}({row.PartitionKey},{row.RowKey}) already exists");
        }
    }

    public async Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            var response = await tableOf(table).UpdateEntityAsync(ToEntity(row), new ETag(ifMatch), TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag?.ToString() ?? string.Empty;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            throw new RowConflictException($"{table}({row.PartitionKey},{row.RowKey}) changed since it was read");
        }
    }

    public async Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken)
    {
        var client = tableOf(table);
        foreach (var batch in Batches(rows, r => r.PartitionKey))
        {
            if (batch.Count == 1)
            {
                await client.UpsertEntityAsync(ToEntity(batch[0]), TableUpdateMode.Replace, cancellationToken);
                continue;
            }

            await client.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(r))), cancellationToken);
        }
    }

    public async Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken)
    {
        var client = tableOf(table);
        foreach (var batch in Batches(keys, k => k.PartitionKey))
        {
            if (batch.Count > 1)
            {
                try
                {
                    await client.SubmitTransactionAsync(
                        batch.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(k.PartitionKey, k.RowKey), ETag.All)),
                        cancellationToken);
                    continue;
                }
                catch (TableTransactionFailedException e) when (e.Status == 404)
                {
                    // some were gone already (a retry): delete one by one, tolerating the missing ones
                }
            }

            foreach (var (partitionKey, rowKey) in batch)
            {
                await client.DeleteEntityAsync(partitionKey, rowKey, ETag.All, cancellationToken);
            }
        }
    }

    public async Task SubmitAsync(string table, IReadOnlyList<RowAction> actions, CancellationToken cancellationToken)
    {
        RowAction.CheckBatch(actions);
        try
        {
            await tableOf(table).SubmitTransactionAsync(actions.Select(ToTransactionAction), cancellationToken);
        }
        catch (TableTransactionFailedException e) when (e.Status is 409 or 412 or 404)
        {
            var failed = e.FailedTransactionActionIndex is { } index && index < actions.Count ? actions[index] : null;
            throw new RowConflictException(
                $"{table}({actions[0].Row.PartitionKey}): batch refused at {failed?.Kind} {failed?.Row.RowKey} ({e.ErrorCode}); nothing written");
        }
    }

    private static TableTransactionAction ToTransactionAction(RowAction action) => action.Kind switch
    {
        RowActionKind.Add => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(action.Row)),
        RowActionKind.Upsert => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(action.Row)),
        RowActionKind.Merge => new TableTransactionAction(TableTransactionActionType.UpsertMerge, ToEntity(action.Row)),
        RowActionKind.UpdateIfMatch => new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(action.Row), new ETag(action.IfMatch!)),
        RowActionKind.Delete => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(action.Row.PartitionKey, action.Row.RowKey), ETag.All),
        _ => throw new ArgumentOutOfRangeException(nameof(action), action.Kind, "unknown row action"),
    };

    /// <summary>Groups by partition, in chunks of a transaction's 100 entities, preserving order.</summary>
    private static IEnumerable<List<T>> Batches<T>(IEnumerable<T> items, Func<T, string> partitionOf) =>
        items.GroupBy(partitionOf, StringComparer.Ordinal).SelectMany(group => group.Chunk(100).Select(chunk => chunk.ToList()));

    private static TableEntity ToEntity(Row row)
    {
        var entity = new TableEntity(row.PartitionKey, row.RowKey);
        foreach (var (name, value) in row.Properties)
        {
            if (value is not null)
            {
                entity[name] = value;
            }
        }

        return entity;
    }

    private static Row ToRow(TableEntity entity)
    {
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in entity)
        {
            if (name is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                properties[name] = value;
            }
        }

        return new Row(entity.PartitionKey, entity.RowKey, properties, entity.ETag.ToString());
    }
}
