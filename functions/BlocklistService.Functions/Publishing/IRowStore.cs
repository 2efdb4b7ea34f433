namespace BlocklistService.Functions.Publishing;

/// <summary>
/// A table row: keys, typed properties (string, long, int, bool, DateTimeOffset, byte[]) and its ETag. Every getter
/// answers null for a missing property (or one of another type), so a reader states its own default where one is
/// meant (<c>row.GetInt64("Version") ?? 0</c>); the integer getters accept either stored width.
/// </summary>
public sealed record Row(string PartitionKey, string RowKey, IReadOnlyDictionary<string, object?> Properties, string ETag = "")
{
    public string? GetString(string name) => Properties.TryGetValue(name, out var v) ? v as string : null;

    public long? GetInt64(string name) => Properties.TryGetValue(name, out var v) ? v switch
    {
        long l => l,
        int i => i,
        _ => null,
    } : null;

    public int? GetInt32(string name) => Properties.TryGetValue(name, out var v) ? v switch
    {
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        _ => null,
    } : null;

    public bool? GetBoolean(string name) => Properties.TryGetValue(name, out var v) && v is bool b ? b : null;

    public byte[]? GetBinary(string name) => Properties.TryGetValue(name, out var v) ? v switch
    {
        byte[] bytes => bytes,
        BinaryData data => data.ToArray(),
        _ => null,
    } : null;

    public DateTimeOffset? GetDateTimeOffset(string name) =>
        Properties.TryGetValue(name, out var v) ? v switch { DateTimeOffset d => d, DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)), _ => null } : null;
}

/// <summary>One write of an atomic batch (<see cref="IRowStore.SubmitAsync"/>).</summary>
public enum RowActionKind
{
    /// <summary>Create the row; the batch fails when it exists.</summary>
    Add,

    /// <summary>Create or replace the row.</summary>
    Upsert,

    /// <summary>Create the row, or set the given properties on the existing one and keep the others.</summary>
    Merge,

    /// <summary>Replace the row if its ETag is <see cref="RowAction.IfMatch"/>; the batch fails otherwise (or when it is gone).</summary>
    UpdateIfMatch,

    /// <summary>Delete the row; the batch fails when it does not exist.</summary>
    Delete,
}

/// <summary>A write in an atomic batch.</summary>
public sealed record RowAction(RowActionKind Kind, Row Row, string? IfMatch = null)
{
    public static RowAction Add(Row row) => new(RowActionKind.Add, row);

    public static RowAction Upsert(Row row) => new(RowActionKind.Upsert, row);

    public static RowAction Merge(Row row) => new(RowActionKind.Merge, row);

    public static RowAction UpdateIfMatch(Row row, string ifMatch) => new(RowActionKind.UpdateIfMatch, row, ifMatch);

    public static RowAction Delete(string partitionKey, string rowKey) => new(RowActionKind.Delete, new Row(partitionKey, rowKey, new Dictionary<string, object?>()));

    /// <summary>The checks both stores make before sending a batch: one partition, at most 100 actions, each row once.</summary>
    public static void CheckBatch(IReadOnlyList<RowAction> actions)
    {
        if (actions.Count is 0 or > IRowStore.MaxBatch)
        {
            throw new ArgumentException($"a batch holds 1 to {IRowStore.MaxBatch} actions, not {actions.Count}", nameof(actions));
        }

        var partition = actions[0].Row.PartitionKey;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            if (!string.Equals(action.Row.PartitionKey, partition, StringComparison.Ordinal))
            {
                throw new ArgumentException($"a batch writes one partition: '{partition}' and '{action.Row.PartitionKey}'", nameof(actions));
            }

            if (!seen.Add(action.Row.RowKey))
            {
                throw new ArgumentException($"a batch writes each row once: '{action.Row.RowKey}' twice", nameof(actions));
            }

            if (action.Kind == RowActionKind.UpdateIfMatch && string.IsNullOrEmpty(action.IfMatch))
            {
                throw new ArgumentException($"UpdateIfMatch of '{action.Row.RowKey}' needs an ETag", nameof(actions));
            }
        }
    }
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
    /// <summary>Most writes in one atomic batch (Table Storage's entity group transaction limit).</summary>
    const int MaxBatch = 100;

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

    /// <summary>
    /// Applies up to <see cref="MaxBatch"/> writes to one partition all or nothing. When an <see cref="RowActionKind.Add"/>
    /// finds its row, an <see cref="RowActionKind.UpdateIfMatch"/> finds another ETag or a <see cref="RowActionKind.Delete"/>
    /// finds no row, nothing is written and <see cref="RowConflictException"/> is thrown.
    /// </summary>
    Task SubmitAsync(string table, IReadOnlyList<RowAction> actions, CancellationToken cancellationToken);
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
