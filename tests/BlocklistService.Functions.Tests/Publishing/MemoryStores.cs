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

            var etag = NextETag();
            Table(table)[(row.PartitionKey, row.RowKey)] = row with { ETag = etag };
            return etag;
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

            var etag = NextETag();
            Table(table)[(row.PartitionKey, row.RowKey)] = row with { ETag = etag };
            return etag;
        }
    }

    public async Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_gate)
        {
            foreach (var row in rows)
            {
                Table(table)[(row.PartitionKey, row.RowKey)] = row with { ETag = NextETag() };
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

/// <summary>A real ECDSA P-256 key held in memory.</summary>
public sealed class EphemeralSigner : IArtifactSigner, IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public EphemeralSigner()
    {
        PublicKeySpki = _key.ExportSubjectPublicKeyInfo();
        KeyId = Convert.ToHexStringLower(SHA256.HashData(PublicKeySpki.Span));
    }

    public string KeyId { get; }

    public ReadOnlyMemory<byte> PublicKeySpki { get; }

    public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_key.SignData(content.Span, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    public void Dispose() => _key.Dispose();
}

/// <summary>A clock the test moves.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
