using System.Runtime.CompilerServices;
using Azure;
using BlocklistService.Functions.Publishing;
using BlocklistService.Storage.Blobs;
using BlocklistService.Storage.Tables;

namespace BlocklistService.Functions.Tests.Audit;

/// <summary>The publisher's <see cref="IRowStore"/> over the real storage client on Azurite, table names prefixed.</summary>
public sealed class AzuriteRowStore(TableServiceClient tables, string prefix) : IRowStore
{
    private readonly HashSet<string> _created = [];

    public async Task<TableClient> TableAsync(string name, CancellationToken cancellationToken)
    {
        var table = tables.GetTableClient(prefix + name);
        if (_created.Add(name))
        {
            await table.CreateIfNotExistsAsync(cancellationToken);
        }

        return table;
    }

    public async Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        var row = await (await TableAsync(table, cancellationToken)).GetEntityIfExistsAsync(partitionKey, rowKey, null, cancellationToken);
        return row.HasValue ? ToRow(row.Value!) : null;
    }

    public async IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {fromRowKey ?? string.Empty} and RowKey lt {toRowKey ?? "\uffff"}");
        await foreach (var row in (await TableAsync(table, cancellationToken)).QueryAsync(filter, 1000, null, cancellationToken))
        {
            yield return ToRow(row);
        }
    }

    public async IAsyncEnumerable<Row> QueryAllAsync(string table, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in (await TableAsync(table, cancellationToken)).QueryAsync(null, 1000, null, cancellationToken))
        {
            yield return ToRow(row);
        }
    }

    public async Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken)
    {
        try
        {
            var response = await (await TableAsync(table, cancellationToken)).AddEntityAsync(ToEntity(row), cancellationToken);
            return response.Headers.ETag?.ToString() ?? string.Empty;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            throw new RowConflictException(e.Message);
        }
    }

    public async Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            var response = await (await TableAsync(table, cancellationToken)).UpdateEntityAsync(ToEntity(row), new ETag(ifMatch), TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag?.ToString() ?? string.Empty;
        }
        catch (RequestFailedException e) when (e.Status is 412 or 404)
        {
            throw new RowConflictException(e.Message);
        }
    }

    public async Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken)
    {
        var client = await TableAsync(table, cancellationToken);
        foreach (var partition in rows.GroupBy(r => r.PartitionKey))
        {
            foreach (var chunk in partition.Chunk(100))
            {
                await client.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(r))), cancellationToken);
            }
        }
    }

    public async Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken)
    {
        var client = await TableAsync(table, cancellationToken);
        foreach (var (pk, rk) in keys)
        {
            await client.DeleteEntityAsync(pk, rk, ETag.All, cancellationToken);
        }
    }

    private static Row ToRow(TableEntity entity) =>
        new(entity.PartitionKey, entity.RowKey,
            entity.Keys.Where(k => k is not "PartitionKey" and not "RowKey" and not "Timestamp" and not "odata.etag").ToDictionary(k => k, k => (object?)entity[k]),
            entity.ETag.ToString());

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
}

/// <summary>The publisher's <see cref="IBlobStore"/> over the real storage client on Azurite, container names prefixed.</summary>
public sealed class AzuriteBlobStore(BlobServiceClient blobs, string prefix) : IBlobStore
{
    private readonly HashSet<string> _created = [];

    public async Task<BlobContainerClient> ContainerAsync(string name, CancellationToken cancellationToken)
    {
        var container = blobs.GetBlobContainerClient(prefix + name);
        if (_created.Add(name))
        {
            await container.CreateIfNotExistsAsync(cancellationToken);
        }

        return container;
    }

    public async Task<StoredBlob?> GetAsync(string container, string name, CancellationToken cancellationToken)
    {
        try
        {
            var result = (await (await ContainerAsync(container, cancellationToken)).GetBlobClient(name).DownloadContentAsync(cancellationToken)).Value;
            return new StoredBlob(result.Content.ToArray(), result.Details.ETag.ToString(), null);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<BlobPutResult> PutIfAbsentAsync(string container, string name, byte[] content, string contentType, string cacheControl, CancellationToken cancellationToken)
    {
        try
        {
            await (await ContainerAsync(container, cancellationToken)).GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType, CacheControl = cacheControl },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken);
            return BlobPutResult.Created;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return BlobPutResult.AlreadyExists;
        }
    }

    public async Task OverwriteAsync(string container, string name, byte[] content, string contentType, string cacheControl, CancellationToken cancellationToken) =>
        await (await ContainerAsync(container, cancellationToken)).GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType, CacheControl = cacheControl },
        }, cancellationToken);
}
