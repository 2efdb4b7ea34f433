namespace BlocklistService.Functions.Publishing;

/// <summary>A table row: keys, typed properties (string, long, int, bool, DateTimeOffset, byte[]) and its ETag.</summary>
public sealed record Row(string PartitionKey, string RowKey, IReadOnlyDictionary<string, object?> Properties, string ETag = "")
{
    public string? GetString(string name) => Properties.TryGetValue(name, out var v) ? v as string : null;

    public long GetInt64(string name) => Properties.TryGetValue(name, out var v) && v is not null ? Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture) : 0;

    public byte[]? GetBinary(string name) => Properties.TryGetValue(name, out var v) ? v as byte[] : null;

    public DateTimeOffset? GetDateTimeOffset(string name) =>
        Properties.TryGetValue(name, out var v) ? v switch { DateTimeOffset d => d, DateTime t => new DateTimeOffset(t, TimeSpan.Zero), _ => null } : null;
}

/// <summary>Thrown when a conditional write loses: the row exists (create) or its ETag moved on (update).</summary>
public sealed class RowConflictException(string message) : Exception(message);

/// <summary>
/// The publisher's narrow view of Table Storage: point reads, single-partition range queries, create-only and
/// If-Match writes, and idempotent upserts and deletes. Implemented over the storage client; keeping the seam this
/// small lets every publish step be reasoned about (and fault-injected) one call at a time.
/// </summary>
public interface IRowStore
{
    Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken);

    /// <summary>Rows of one partition with <paramref name="fromRowKey"/> ≤ RowKey &lt; <paramref name="toRowKey"/> (null: open), in RowKey order.</summary>
    IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, CancellationToken cancellationToken);

    /// <summary>Every row of a table (small tables only: lists, isps, holds).</summary>
    IAsyncEnumerable<Row> QueryAllAsync(string table, CancellationToken cancellationToken);

    /// <summary>Creates the row; <see cref="RowConflictException"/> when it exists. Returns the new ETag.</summary>
    Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken);

    /// <summary>Replaces the row if its ETag is <paramref name="ifMatch"/>; <see cref="RowConflictException"/> otherwise.</summary>
    Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken);

    /// <summary>Creates or replaces rows (any partitions; atomic per partition batch of 100, not across).</summary>
    Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken);

    /// <summary>Deletes rows; rows already gone are fine.</summary>
    Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken);
}

/// <summary>Outcome of a create-only blob write.</summary>
public enum BlobPutResult
{
    Created,
    AlreadyExists,
}

/// <summary>A stored blob's bytes and strong ETag.</summary>
public sealed record StoredBlob(byte[] Content, string ETag, string? ContentType);

/// <summary>
/// The publisher's view of Blob Storage: get, put-if-absent and overwrite, nothing else. Immutable files go
/// through <see cref="PutIfAbsentAsync"/>; only the current pointers (manifest, checkpoint) are overwritten.
/// </summary>
public interface IBlobStore
{
    Task<StoredBlob?> GetAsync(string container, string name, CancellationToken cancellationToken);

    Task<BlobPutResult> PutIfAbsentAsync(string container, string name, byte[] content, string contentType, string cacheControl, CancellationToken cancellationToken);

    Task OverwriteAsync(string container, string name, byte[] content, string contentType, string cacheControl, CancellationToken cancellationToken);
}
