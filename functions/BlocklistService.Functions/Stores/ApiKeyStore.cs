using Azure;
using BlocklistService.Functions.Auth;
using BlocklistService.Storage.Tables;

namespace BlocklistService.Functions.Stores;

/// <summary>A stored API key: everything but the secret, which exists only as its SHA-256.</summary>
public sealed record ApiKeyRecord(
    string KeyId,
    string Role,
    string Organisation,
    IReadOnlyList<string> Lists,
    byte[] SecretSha256,
    DateTimeOffset Created,
    DateTimeOffset? Revoked)
{
    /// <summary>The list wildcard: an ISP key that may read every list.</summary>
    public const string AllLists = "*";

    public bool IsRevoked => Revoked is not null;
}

/// <summary>
/// The <c>apikeys</c> table (PK <c>key</c>, RK key id). Lookups are point reads with no cache, so a revocation
/// takes effect on the next request on every instance.
/// </summary>
public sealed class ApiKeyStore(StorageAccount account, TimeProvider time)
{
    private const string Partition = "key";

    private TableClient Table => account.Table(StorageNames.ApiKeys);

    /// <summary>The record for <paramref name="keyId"/>, or null.</summary>
    public async Task<ApiKeyRecord?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync(Partition, keyId, select: null, cancellationToken);
        return row.HasValue ? ToRecord(row.Value!) : null;
    }

    /// <summary>Creates a fresh key and stores its hash; the returned <see cref="ApiKey"/> is the only copy of the secret.</summary>
    public async Task<(ApiKey Key, ApiKeyRecord Record)> IssueAsync(
        string role, string organisation, IReadOnlyList<string> lists, CancellationToken cancellationToken)
    {
        var key = ApiKey.Generate();
        var record = new ApiKeyRecord(key.KeyId, role, organisation, lists, key.SecretHash, time.GetUtcNow(), null);
        await Table.AddEntityAsync(ToEntity(record), cancellationToken);
        return (key, record);
    }

    /// <summary>Stores a record made elsewhere (bootstrap); false when a row with that key id already exists, revoked or not.</summary>
    public async Task<bool> TryAddAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await Table.AddEntityAsync(ToEntity(record), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Every key, newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var records = new List<ApiKeyRecord>();
        await foreach (var row in Table.QueryAsync(
            TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), maxPerPage: 1000, select: null, cancellationToken))
        {
            records.Add(ToRecord(row));
        }

        return records.OrderByDescending(r => r.Created).ToList();
    }

    /// <summary>Marks the key revoked; null when no such key, otherwise the (possibly earlier) revocation time.</summary>
    public async Task<ApiKeyRecord?> RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        var existing = await FindAsync(keyId, cancellationToken);
        if (existing is null || existing.IsRevoked)
        {
            return existing;
        }

        var revoked = existing with { Revoked = time.GetUtcNow() };
        await Table.UpsertEntityAsync(ToEntity(revoked), TableUpdateMode.Replace, cancellationToken);
        return revoked;
    }

    private static TableEntity ToEntity(ApiKeyRecord record)
    {
        var entity = new TableEntity(Partition, record.KeyId)
        {
            ["Role"] = record.Role,
            ["Organisation"] = record.Organisation,
            ["Lists"] = string.Join(',', record.Lists),
            ["SecretSha256"] = record.SecretSha256,
            ["Created"] = record.Created,
        };
        if (record.Revoked is { } revoked)
        {
            entity["Revoked"] = revoked;
        }

        return entity;
    }

    private static ApiKeyRecord ToRecord(TableEntity row) => new(
        row.RowKey,
        row.GetString("Role") ?? string.Empty,
        row.GetString("Organisation") ?? string.Empty,
        (row.GetString("Lists") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries),
        row.GetBinary("SecretSha256") ?? [],
        row.GetDateTimeOffset("Created") ?? DateTimeOffset.MinValue,
        row.GetDateTimeOffset("Revoked"));
}
