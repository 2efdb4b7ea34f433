using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using BlocklistService.Domain.Lists;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// A stored API key: everything but the secret, which exists only as its SHA-256. An ISP key's <see cref="Feed"/> says
/// which artifacts it may fetch: the plain lists (the default) or only the hashed feed (ids without expressions).
/// </summary>
public sealed record ApiKeyRecord(
    string KeyId,
    string Role,
    string Organisation,
    IReadOnlyList<string> Lists,
    byte[] SecretSha256,
    DateTimeOffset Created,
    DateTimeOffset? Revoked,
    ListFeed Feed = ListFeed.Plain)
{
    /// <summary>The list wildcard: an ISP key that may read every list.</summary>
    public const string AllLists = "*";

    public bool IsRevoked => Revoked is not null;
}

/// <summary>
/// The <c>apikeys</c> table's codec: PK <c>key</c>, RK key id; the one place that knows its properties. Beside the keys,
/// in a partition of its own, the revocation marker: one row rewritten after every revocation, whose ETag tells an
/// instance whether any key row changed since it last looked.
/// </summary>
public static class ApiKeyRows
{
    public const string Table = StorageNames.ApiKeys;
    public const string Partition = "key";
    public const string MarkerPartition = "keyset";
    public const string MarkerRowKey = "revocations";

    /// <summary>The revocation marker as written at <paramref name="at"/> (its content is informational; its ETag is what counts).</summary>
    public static Row MarkerRow(DateTimeOffset at) => new(MarkerPartition, MarkerRowKey, new Dictionary<string, object?> { ["Changed"] = at });

    public static Row ToRow(ApiKeyRecord record) => new(Partition, record.KeyId, new Dictionary<string, object?>
    {
        ["Role"] = record.Role,
        ["Organisation"] = record.Organisation,
        ["Lists"] = string.Join(',', record.Lists),
        ["SecretSha256"] = record.SecretSha256,
        ["Created"] = record.Created,
        ["Revoked"] = record.Revoked,
        ["Feed"] = record.Feed.ToWireName(),
    });

    public static ApiKeyRecord FromRow(Row row) => new(
        row.RowKey,
        row.GetString("Role") ?? string.Empty,
        row.GetString("Organisation") ?? string.Empty,
        (row.GetString("Lists") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries),
        row.GetBinary("SecretSha256") ?? [],
        row.GetDateTimeOffset("Created") ?? DateTimeOffset.MinValue,
        row.GetDateTimeOffset("Revoked"),

        // rows written before feeds existed are plain keys; an unreadable value is the narrower feed, never the wider
        row.GetString("Feed") is not { } feed ? ListFeed.Plain : ListFeedNames.TryParse(feed, out var parsed) ? parsed : ListFeed.Hashed);
}

/// <summary>
/// The <c>apikeys</c> table (<see cref="ApiKeyRows"/>). <see cref="FindAsync"/> is a point read;
/// <see cref="FindForRequestAsync"/>, which authentication uses, reuses a row read for up to
/// <see cref="AuthOptions.KeyCacheTtl"/>, by itself or by the whole-partition read of the start-up warm-up and the
/// refresh every half TTL while the instance is in use (<see cref="RefreshAllAsync"/>). A revocation through this store
/// drops the key from this instance's cache at once; another instance sees it at its next refresh, or when its cached
/// row expires.
/// </summary>
public sealed class ApiKeyStore(IRowStore rows, TimeProvider time, IOptions<AuthOptions> options)
{
    private readonly ConcurrentDictionary<string, (ApiKeyRecord Record, DateTimeOffset ReadAt)> _cache = new(StringComparer.Ordinal);

    /// <summary>Bumped by every revocation, so a read that raced with one never caches the row it read before it.</summary>
    private long _generation;

    /// <summary>When a request last looked a key up here (<see cref="TryGetCached"/>): the refresh runs only for an instance in use.</summary>
    private long _lastUsedTicks;

    /// <summary>The record for <paramref name="keyId"/>, or null; always a point read.</summary>
    public async Task<ApiKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(ApiKeyRows.Table, ApiKeyRows.Partition, keyId, cancellationToken);
        return row is null ? null : ApiKeyRows.FromRow(row);
    }

    /// <summary>
    /// The record for <paramref name="keyId"/> as a request's authentication needs it: from this instance's cache when
    /// read less than <see cref="AuthOptions.KeyCacheTtl"/> ago, otherwise a point read. Unknown keys are not cached, so
    /// a key issued on another instance works at once.
    /// </summary>
    public async Task<ApiKeyRecord?> FindForRequestAsync(string keyId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.KeyCacheTtl <= TimeSpan.Zero)
        {
            return await FindAsync(keyId, cancellationToken);
        }

        if (TryGetCached(keyId, out var cached))
        {
            return cached;
        }

        var generation = Interlocked.Read(ref _generation);
        var readAt = time.GetUtcNow();
        var record = await FindAsync(keyId, cancellationToken);
        if (record is not null)
        {
            if (_cache.Count >= settings.KeyCacheSize)
            {
                _cache.Clear();
            }

            _cache[keyId] = (record, readAt);
            if (Interlocked.Read(ref _generation) != generation)
            {
                // a revocation ran while this row was read: it may predate it
                _cache.TryRemove(keyId, out _);
            }
        }

        return record;
    }

    /// <summary>
    /// Reads every key row in one query of the partition into this instance's cache, as read when the query began: the
    /// start-up warm-up (<see cref="KeyCacheWarmUp"/>) and the periodic refresh (<see cref="KeyCacheRefresher"/>), so ISP
    /// polls find their key cached instead of costing a point read each. A row a request read after the query began is
    /// kept; an unchanged row keeps the instance callers were built from (<see cref="CallerCache"/>); nothing is kept when
    /// a revocation ran here during the query, or when there are more keys than <see cref="AuthOptions.KeyCacheSize"/>.
    /// The revocation marker is read first and kept with the time in <see cref="LastFullRead"/>, so the refresher's
    /// next look can compare against it instead of reading every row again. Returns how many rows it cached.
    /// </summary>
    public async Task<int> RefreshAllAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.KeyCacheTtl <= TimeSpan.Zero)
        {
            return 0;
        }

        var markerAt = time.GetUtcNow();
        var marker = await RevocationMarkerAsync(cancellationToken);
        var generation = Interlocked.Read(ref _generation);
        var readAt = time.GetUtcNow();
        var records = new List<ApiKeyRecord>();
        await foreach (var row in rows.QueryAsync(ApiKeyRows.Table, ApiKeyRows.Partition, null, null, cancellationToken))
        {
            records.Add(ApiKeyRows.FromRow(row));
            if (records.Count > settings.KeyCacheSize)
            {
                // more keys than the cache holds: filling it would only make it start over; keys are read per request
                return 0;
            }
        }

        var written = new List<KeyValuePair<string, (ApiKeyRecord, DateTimeOffset)>>();
        foreach (var fresh in records)
        {
            var entry = _cache.AddOrUpdate(
                fresh.KeyId,
                _ => (fresh, readAt),
                (_, held) => held.ReadAt > readAt ? held : (SameRow(held.Record, fresh) ? held.Record : fresh, readAt));
            if (entry.ReadAt == readAt)
            {
                written.Add(new(fresh.KeyId, entry));
            }
        }

        if (Interlocked.Read(ref _generation) != generation)
        {
            // a revocation ran while the partition was read: any of these rows may predate it
            foreach (var entry in written)
            {
                _cache.TryRemove(entry);
            }

            return 0;
        }

        LastFullRead = (marker, markerAt);
        return written.Count;
    }

    /// <summary>
    /// The revocation marker as read just before the last full read that cached its rows, and when it was read; null
    /// before one. No key row changed since then while the marker still reads the same.
    /// </summary>
    public (string? Marker, DateTimeOffset At)? LastFullRead { get; private set; }

    /// <summary>True when a request looked a key up on this instance less than <paramref name="span"/> ago.</summary>
    public bool UsedWithin(TimeSpan span) => time.GetUtcNow().UtcTicks - Volatile.Read(ref _lastUsedTicks) < span.Ticks;

    private static bool SameRow(ApiKeyRecord a, ApiKeyRecord b) =>
        a.KeyId == b.KeyId && a.Role == b.Role && a.Organisation == b.Organisation && a.Lists.SequenceEqual(b.Lists, StringComparer.Ordinal) &&
        a.SecretSha256.AsSpan().SequenceEqual(b.SecretSha256) && a.Created == b.Created && a.Revoked == b.Revoked && a.Feed == b.Feed;

    /// <summary>
    /// The record this instance read for <paramref name="keyId"/> less than <see cref="AuthOptions.KeyCacheTtl"/> ago and
    /// has not revoked since; false when there is none (no storage read). While cached, the same instance is returned,
    /// so a caller may keep what it derived from it for as long as this returns that instance.
    /// </summary>
    public bool TryGetCached(string keyId, [NotNullWhen(true)] out ApiKeyRecord? record)
    {
        var ttl = options.Value.KeyCacheTtl;
        var now = time.GetUtcNow();
        Volatile.Write(ref _lastUsedTicks, now.UtcTicks);
        if (ttl > TimeSpan.Zero && _cache.TryGetValue(keyId, out var cached) && now - cached.ReadAt < ttl)
        {
            record = cached.Record;
            return true;
        }

        record = null;
        return false;
    }

    /// <summary>Creates a fresh key and stores its hash; the returned <see cref="ApiKey"/> is the only copy of the secret.</summary>
    public async Task<(ApiKey Key, ApiKeyRecord Record)> IssueAsync(
        string role, string organisation, IReadOnlyList<string> lists, CancellationToken cancellationToken, ListFeed feed = ListFeed.Plain)
    {
        var key = ApiKey.Generate();
        var record = new ApiKeyRecord(key.KeyId, role, organisation, lists, key.SecretHash, time.GetUtcNow(), null, feed);
        await rows.AddAsync(ApiKeyRows.Table, ApiKeyRows.ToRow(record), cancellationToken);
        return (key, record);
    }

    /// <summary>Stores a record made elsewhere (bootstrap); false when a row with that key id already exists, revoked or not.</summary>
    public async Task<bool> TryAddAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await rows.AddAsync(ApiKeyRows.Table, ApiKeyRows.ToRow(record), cancellationToken);
            return true;
        }
        catch (RowConflictException)
        {
            return false;
        }
    }

    /// <summary>Every key, newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var records = new List<ApiKeyRecord>();
        await foreach (var row in rows.QueryAsync(ApiKeyRows.Table, ApiKeyRows.Partition, null, null, cancellationToken))
        {
            records.Add(ApiKeyRows.FromRow(row));
        }

        return records.OrderByDescending(r => r.Created).ToList();
    }

    /// <summary>
    /// Marks the key revoked; null when no such key, otherwise the (possibly earlier) revocation time. Then rewrites the
    /// revocation marker, so other instances re-read the key rows (<see cref="KeyCacheRefresher"/>); a retry of a
    /// revocation whose marker write was lost writes it again.
    /// </summary>
    public async Task<ApiKeyRecord?> RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        var existing = await FindAsync(keyId, cancellationToken);
        if (existing is null)
        {
            return null;
        }

        var revoked = existing;
        if (!existing.IsRevoked)
        {
            revoked = existing with { Revoked = time.GetUtcNow() };
            await rows.UpsertAsync(ApiKeyRows.Table, [ApiKeyRows.ToRow(revoked)], cancellationToken);
        }

        Interlocked.Increment(ref _generation);
        _cache.TryRemove(keyId, out _);
        await rows.UpsertAsync(ApiKeyRows.Table, [ApiKeyRows.MarkerRow(time.GetUtcNow())], cancellationToken);
        return revoked;
    }

    /// <summary>The revocation marker's ETag: it changes with every revocation; null before the first.</summary>
    public async Task<string?> RevocationMarkerAsync(CancellationToken cancellationToken) =>
        (await rows.GetAsync(ApiKeyRows.Table, ApiKeyRows.MarkerPartition, ApiKeyRows.MarkerRowKey, cancellationToken))?.ETag;

    /// <summary>
    /// No key row has changed since <paramref name="since"/> (the revocation marker read then is the one read at
    /// <paramref name="at"/>): every cached row read at or after <paramref name="since"/> is current as of
    /// <paramref name="at"/>, and counts as read then. Rows read before it are left to expire.
    /// </summary>
    public int ConfirmCached(DateTimeOffset since, DateTimeOffset at)
    {
        var confirmed = 0;
        foreach (var (keyId, entry) in _cache)
        {
            // a row revoked here meanwhile is gone from the cache, and TryUpdate does not bring it back
            if (entry.ReadAt >= since && entry.ReadAt < at && _cache.TryUpdate(keyId, (entry.Record, at), entry))
            {
                confirmed++;
            }
        }

        return confirmed;
    }
}
