using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Tests.Publishing;

/// <summary>An in-memory <see cref="IRowStore"/> with Table Storage's conditional-write semantics, thread-safe.</summary>
public sealed class MemoryRowStore : IRowStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<(string, string), Row>> _tables = new();
    private long _etag;

    private SortedDictionary<(string, string), Row> Table(string name)
    {
        if (!_tables.TryGetValue(name, out var table))
        {
            table = new SortedDictionary<(string, string), Row>(Comparer<(string, string)>.Create((a, b) =>
            {
                var c = string.CompareOrdinal(a.Item1, b.Item1);
                return c != 0 ? c : string.CompareOrdinal(a.Item2, b.Item2);
            }));
            _tables[name] = table;
        }

        return table;
    }

    private string NextETag() => $"W/\"{Interlocked.Increment(ref _etag)}\"";

    /// <summary>The row as Table Storage keeps it: a copy with a fresh ETag and without null properties (those are not stored).</summary>
    private Row Stored(Row row) => row with
    {
        Properties = row.Properties.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        ETag = NextETag(),
    };

    public Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(Table(table).TryGetValue((partitionKey, rowKey), out var row) ? row : null);
        }
    }

    public async IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<Row> rows;
        lock (_gate)
        {
            rows = Table(table).Values.Where(r => r.PartitionKey == partitionKey
                && (fromRowKey is null || string.CompareOrdinal(r.RowKey, fromRowKey) >= 0)
                && (toRowKey is null || string.CompareOrdinal(r.RowKey, toRowKey) < 0)).ToList();
        }

        foreach (var row in rows)
        {
            await Task.Yield();
            yield return row;
        }
    }

    public async IAsyncEnumerable<Row> QueryAllAsync(string table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<Row> rows;
        lock (_gate)
        {
            rows = Table(table).Values.ToList();
        }

        foreach (var row in rows)
        {
            await Task.Yield();
            yield return row;
        }
    }

    public async Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_gate)
        {
            if (Table(table).ContainsKey((row.PartitionKey, row.RowKey)))
            {
                throw new RowConflictException("EntityAlreadyExists");
            }

            var stored = Stored(row);
            Table(table)[(row.PartitionKey, row.RowKey)] = stored;
            return stored.ETag;
        }
    }

    public async Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_gate)
        {
            if (!Table(table).TryGetValue((row.PartitionKey, row.RowKey), out var existing) || existing.ETag != ifMatch)
            {
                throw new RowConflictException("UpdateConditionNotSatisfied");
            }

            var stored = Stored(row);
            Table(table)[(row.PartitionKey, row.RowKey)] = stored;
            return stored.ETag;
        }
    }

    public async Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_gate)
        {
            foreach (var row in rows)
            {
                Table(table)[(row.PartitionKey, row.RowKey)] = Stored(row);
            }
        }
    }

    public async Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_gate)
        {
            foreach (var key in keys)
            {
                Table(table).Remove(key);
            }
        }
    }

    public async Task SubmitAsync(string table, IReadOnlyList<RowAction> actions, CancellationToken cancellationToken)
    {
        RowAction.CheckBatch(actions);
        await Task.Yield();
        lock (_gate)
        {
            var rows = Table(table);
            foreach (var action in actions)
            {
                var exists = rows.TryGetValue((action.Row.PartitionKey, action.Row.RowKey), out var existing);
                var refused = action.Kind switch
                {
                    RowActionKind.Add => exists,
                    RowActionKind.UpdateIfMatch => !exists || existing!.ETag != action.IfMatch,
                    RowActionKind.Delete => !exists,
                    _ => false,
                };
                if (refused)
                {
                    throw new RowConflictException($"{table}: batch refused at {action.Kind} {action.Row.RowKey}; nothing written");
                }
            }

            foreach (var action in actions)
            {
                var key = (action.Row.PartitionKey, action.Row.RowKey);
                switch (action.Kind)
                {
                    case RowActionKind.Delete:
                        rows.Remove(key);
                        break;
                    case RowActionKind.Merge when rows.TryGetValue(key, out var existing):
                        var merged = new Dictionary<string, object?>(existing.Properties, StringComparer.Ordinal);
                        foreach (var (name, value) in action.Row.Properties.Where(p => p.Value is not null))
                        {
                            merged[name] = value;
                        }

                        rows[key] = existing with { Properties = merged, ETag = NextETag() };
                        break;
                    default:
                        rows[key] = Stored(action.Row);
                        break;
                }
            }
        }
    }

    public IReadOnlyList<Row> All(string table)
    {
        lock (_gate)
        {
            return Table(table).Values.ToList();
        }
    }
}

/// <summary>An in-memory <see cref="IBlobStore"/> with create-only semantics, thread-safe.</summary>
public sealed class MemoryBlobStore : IBlobStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, StoredBlob> _blobs = new();
    private long _etag;

    public Task<StoredBlob?> GetAsync(string container, string name, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_blobs.TryGetValue($"{container}/{name}", out var blob) ? blob : null);
        }
    }

    public async Task<BlobPutResult> PutIfAbsentAsync(string container, string name, byte[] content, string contentType, string cacheControl, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_gate)
        {
            if (_blobs.ContainsKey($"{container}/{name}"))
            {
                return BlobPutResult.AlreadyExists;
            }

            _blobs[$"{container}/{name}"] = new StoredBlob(content, $"\"{Interlocked.Increment(ref _etag)}\"", contentType);
            return BlobPutResult.Created;
        }
    }

    public async Task OverwriteAsync(string container, string name, byte[] content, string contentType, string cacheControl, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_gate)
        {
            _blobs[$"{container}/{name}"] = new StoredBlob(content, $"\"{Interlocked.Increment(ref _etag)}\"", contentType);
        }
    }
}

/// <summary>A clock the test moves.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
