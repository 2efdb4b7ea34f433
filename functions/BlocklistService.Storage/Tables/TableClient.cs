using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using BlocklistService.Storage.Pipeline;

namespace BlocklistService.Storage.Tables;

/// <summary>
/// One table: entity CRUD with ETag conditions, queries with transparent continuation and single-partition
/// transactions, shaped like Azure.Data.Tables' <c>TableClient</c>. Every operation validates its input against
/// the Table service limits before sending, and every unexpected status becomes a <see cref="RequestFailedException"/>.
/// </summary>
public sealed partial class TableClient
{
    private const string JsonAccept = "application/json;odata=minimalmetadata";
    private const string JsonContent = "application/json;odata=nometadata";

    private readonly StoragePipeline _pipeline;
    private readonly string _version;

    internal TableClient(StoragePipeline pipeline, Uri serviceUri, string tableName, string version)
    {
        if (tableName is null || !TableNamePattern().IsMatch(tableName))
        {
            throw new ArgumentException($"Table name '{tableName}' is not valid: 3 to 63 letters and digits, starting with a letter.", nameof(tableName));
        }

        _pipeline = pipeline;
        _version = version;
        Name = tableName;
        ServiceUri = serviceUri;
        Uri = new Uri(serviceUri.AbsoluteUri.TrimEnd('/') + "/" + tableName);
    }

    /// <summary>From a connection string with an account key, or <c>UseDevelopmentStorage=true</c>.</summary>
    public TableClient(string connectionString, string tableName, TableClientOptions? options = null)
        : this(Inner(new TableServiceClient(connectionString, options), tableName))
    {
    }

    public TableClient(Uri serviceEndpoint, string tableName, TokenCredential credential, TableClientOptions? options = null)
        : this(Inner(new TableServiceClient(serviceEndpoint, credential, options), tableName))
    {
    }

    private TableClient(TableClient other)
        : this(other._pipeline, other.ServiceUri, other.Name, other._version)
    {
    }

    public string Name { get; }

    /// <summary>The table's URL, e.g. <c>https://account.table.core.windows.net/journal</c>.</summary>
    public Uri Uri { get; }

    private Uri ServiceUri { get; }

    /// <summary>
    /// Builds an OData filter from an interpolated string, formatting every value as a typed, escaped literal:
    /// <c>CreateQueryFilter($"PartitionKey eq {pk} and Count gt {n}")</c>.
    /// </summary>
    public static string CreateQueryFilter(FormattableString filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter.ToString(TableQueryFilter.Instance);
    }

    /// <summary>Creates the table; an existing table is success (409 TableAlreadyExists is not an error here).</summary>
    public async Task<Response<TableItem>> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateCreateTableRequest();
        var response = await _pipeline.SendAsync(message, cancellationToken, 201, 204, 409).ConfigureAwait(false);
        return Response.FromValue(new TableItem(Name), response);
    }

    /// <summary>Deletes the table; a missing table is success (404 is not an error here).</summary>
    public async Task<Response> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateDeleteTableRequest();
        return await _pipeline.SendAsync(message, cancellationToken, 204, 404).ConfigureAwait(false);
    }

    /// <summary>Inserts <paramref name="entity"/>; 409 (ErrorCode <c>EntityAlreadyExists</c>) when it exists. The response carries the new ETag.</summary>
    public async Task<Response> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        using var message = CreateAddEntityRequest(entity);
        return await _pipeline.SendAsync(message, cancellationToken, 204, 201).ConfigureAwait(false);
    }

    /// <summary>Inserts or updates <paramref name="entity"/> (no ETag condition).</summary>
    public async Task<Response> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        using var message = CreateWriteEntityRequest(entity, mode, ifMatch: null);
        return await _pipeline.SendAsync(message, cancellationToken, 204).ConfigureAwait(false);
    }

    /// <summary>
    /// Updates an existing entity when its ETag still equals <paramref name="ifMatch"/> (<see cref="ETag.All"/>:
    /// any version); 412 (<c>UpdateConditionNotSatisfied</c>) when another writer came first, 404 when missing.
    /// </summary>
    public async Task<Response> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        using var message = CreateWriteEntityRequest(entity, mode, ifMatch == default ? ETag.All : ifMatch);
        return await _pipeline.SendAsync(message, cancellationToken, 204).ConfigureAwait(false);
    }

    /// <summary>Deletes an entity when its ETag matches (default: any); a missing entity is success (404 tolerated), a changed one is 412.</summary>
    public async Task<Response> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        using var message = CreateDeleteEntityRequest(partitionKey, rowKey, ifMatch == default ? ETag.All : ifMatch);
        return await _pipeline.SendAsync(message, cancellationToken, 204, 404).ConfigureAwait(false);
    }

    /// <summary>Reads one entity; 404 (<c>ResourceNotFound</c>) when it does not exist.</summary>
    public async Task<Response<TableEntity>> GetEntityAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        using var message = CreateGetEntityRequest(partitionKey, rowKey, select);
        var response = await _pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        return Response.FromValue(ReadEntity(response), response);
    }

    /// <summary>Reads one entity; no value (rather than an exception) when it does not exist.</summary>
    public async Task<NullableResponse<TableEntity>> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        using var message = CreateGetEntityRequest(partitionKey, rowKey, select);
        var response = await _pipeline.SendAsync(message, cancellationToken, 200, 404).ConfigureAwait(false);
        return new StorageNullableResponse<TableEntity>(response.Status == 404 ? null : ReadEntity(response), response);
    }

    /// <summary>
    /// Entities matching <paramref name="filter"/> (build it with <see cref="CreateQueryFilter"/>), at most
    /// <paramref name="maxPerPage"/> (≤ 1000) per request; continuation tokens are followed transparently.
    /// </summary>
    public AsyncPageable<TableEntity> QueryAsync(string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        if (maxPerPage is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPerPage), maxPerPage, "maxPerPage must be between 1 and 1000.");
        }

        var columns = select?.ToArray();
        return new StoragePageable<TableEntity>(
            async (continuation, pageSize, token) =>
            {
                using var message = CreateQueryRequest(filter, pageSize ?? maxPerPage, columns, continuation);
                var response = await _pipeline.SendAsync(message, token, 200).ConfigureAwait(false);
                using var json = JsonDocument.Parse(response.Content.ToMemory());
                var entities = json.RootElement.GetProperty("value").EnumerateArray().Select(TableEntityJson.Read).ToList();
                response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPartition);
                response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRow);
                var next = string.IsNullOrEmpty(nextPartition) ? null : nextPartition + " " + (nextRow ?? string.Empty);
                return Page<TableEntity>.FromValues(entities, next, response);
            },
            cancellationToken);
    }

    /// <summary>
    /// Applies up to 100 actions on one partition atomically: all or nothing. When the service refuses one, a
    /// <see cref="TableTransactionFailedException"/> names its index and nothing was written.
    /// </summary>
    public async Task<Response<IReadOnlyList<Response>>> SubmitTransactionAsync(IEnumerable<TableTransactionAction> transactionActions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionActions);
        var actions = transactionActions.ToList();
        using var message = CreateTransactionRequest(actions);
        var response = await _pipeline.SendAsync(message, cancellationToken, 202).ConfigureAwait(false);
        var parts = TableTransactionBody.ParseResponse(response.Content.ToString(), actions.Count);
        return Response.FromValue(parts, response);
    }

    internal static Uri EntityUri(Uri tableUri, string partitionKey, string rowKey) =>
        new(tableUri.AbsoluteUri + "(PartitionKey='" + EscapeKey(partitionKey) + "',RowKey='" + EscapeKey(rowKey) + "')");

    internal HttpMessage CreateCreateTableRequest()
    {
        var message = CreateMessage(RequestMethod.Post, new Uri(ServiceUri.AbsoluteUri.TrimEnd('/') + "/Tables"));
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJsonContent(message, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = Name }));
        return message;
    }

    internal HttpMessage CreateDeleteTableRequest() =>
        CreateMessage(RequestMethod.Delete, new Uri(ServiceUri.AbsoluteUri.TrimEnd('/') + "/Tables('" + Name + "')"));

    internal HttpMessage CreateAddEntityRequest(TableEntity entity)
    {
        TableEntityLimits.Validate(entity);
        var message = CreateMessage(RequestMethod.Post, Uri);
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        SetJsonContent(message, TableEntityJson.Serialize(entity));
        return message;
    }

    internal HttpMessage CreateWriteEntityRequest(TableEntity entity, TableUpdateMode mode, ETag? ifMatch)
    {
        TableEntityLimits.Validate(entity);
        var method = mode == TableUpdateMode.Replace ? RequestMethod.Put : RequestMethod.Patch;
        var message = CreateMessage(method, EntityUri(Uri, entity.PartitionKey, entity.RowKey));
        if (ifMatch is { } etag)
        {
            message.Request.Headers.SetValue("If-Match", etag.ToString("H"));
        }

        SetJsonContent(message, TableEntityJson.Serialize(entity));
        return message;
    }

    internal HttpMessage CreateDeleteEntityRequest(string partitionKey, string rowKey, ETag ifMatch)
    {
        ValidateKeys(partitionKey, rowKey);
        var message = CreateMessage(RequestMethod.Delete, EntityUri(Uri, partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch.ToString("H"));
        return message;
    }

    internal HttpMessage CreateGetEntityRequest(string partitionKey, string rowKey, IEnumerable<string>? select)
    {
        ValidateKeys(partitionKey, rowKey);
        var uri = EntityUri(Uri, partitionKey, rowKey).AbsoluteUri;
        var columns = select?.ToArray();
        if (columns is { Length: > 0 })
        {
            uri += "?$select=" + Uri.EscapeDataString(string.Join(',', columns));
        }

        return CreateMessage(RequestMethod.Get, new Uri(uri));
    }

    internal HttpMessage CreateQueryRequest(string? filter, int? top, string[]? select, string? continuation)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(filter))
        {
            query.Add("$filter=" + Uri.EscapeDataString(filter));
        }

        if (top is { } count)
        {
            query.Add("$top=" + Math.Clamp(count, 1, 1000).ToString(CultureInfo.InvariantCulture));
        }

        if (select is { Length: > 0 })
        {
            query.Add("$select=" + Uri.EscapeDataString(string.Join(',', select)));
        }

        if (!string.IsNullOrEmpty(continuation))
        {
            var parts = continuation.Split(' ', 2);
            query.Add("NextPartitionKey=" + Uri.EscapeDataString(parts[0]));
            if (parts.Length == 2 && parts[1].Length > 0)
            {
                query.Add("NextRowKey=" + Uri.EscapeDataString(parts[1]));
            }
        }

        var uri = Uri.AbsoluteUri + "()" + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query));
        return CreateMessage(RequestMethod.Get, new Uri(uri));
    }

    internal HttpMessage CreateTransactionRequest(IReadOnlyList<TableTransactionAction> actions)
    {
        if (actions.Count == 0)
        {
            throw new ArgumentException("A transaction needs at least one action.", nameof(actions));
        }

        if (actions.Count > TableTransactionBody.MaxActions)
        {
            throw new ArgumentException($"A transaction holds at most {TableTransactionBody.MaxActions} actions; got {actions.Count}.", nameof(actions));
        }

        var partition = actions[0].Entity.PartitionKey;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < actions.Count; index++)
        {
            var entity = actions[index].Entity;
            if (!string.Equals(entity.PartitionKey, partition, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Action {index} is for partition '{entity.PartitionKey}', but a transaction covers one partition ('{partition}').", nameof(actions));
            }

            if (!seen.Add(entity.RowKey))
            {
                throw new ArgumentException($"Action {index} touches RowKey '{entity.RowKey}' again; a transaction may touch each entity once.", nameof(actions));
            }

            if (actions[index].ActionType == TableTransactionActionType.Delete)
            {
                ValidateKeys(entity.PartitionKey, entity.RowKey);
            }
            else
            {
                TableEntityLimits.Validate(entity);
            }
        }

        var batch = "batch_" + Guid.NewGuid().ToString("D");
        var changeset = "changeset_" + Guid.NewGuid().ToString("D");
        var body = Encoding.UTF8.GetBytes(TableTransactionBody.Build(Uri, actions, batch, changeset));
        if (body.Length > 4 * 1024 * 1024)
        {
            throw new ArgumentException($"The transaction body is {body.Length} bytes; the Table service allows at most 4 MiB.", nameof(actions));
        }

        var message = CreateMessage(RequestMethod.Post, new Uri(ServiceUri.AbsoluteUri.TrimEnd('/') + "/$batch"));
        message.Request.Headers.SetValue("Content-Type", "multipart/mixed; boundary=" + batch);
        message.Request.Content = RequestContent.Create(body);
        return message;
    }

    private static TableClient Inner(TableServiceClient service, string tableName) => service.GetTableClient(tableName);

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static void ValidateKeys(string partitionKey, string rowKey)
    {
        TableEntityLimits.ValidateKey(partitionKey, nameof(partitionKey));
        TableEntityLimits.ValidateKey(rowKey, nameof(rowKey));
    }

    private static TableEntity ReadEntity(Response response)
    {
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var entity = TableEntityJson.Read(json.RootElement);
        if (entity.ETag == default && response.Headers.ETag is { } etag)
        {
            entity.ETag = etag;
        }

        return entity;
    }

    private static void SetJsonContent(HttpMessage message, byte[] body)
    {
        message.Request.Headers.SetValue("Content-Type", JsonContent);
        message.Request.Content = RequestContent.Create(body);
    }

    private HttpMessage CreateMessage(RequestMethod method, Uri uri)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(uri);
        request.Headers.SetValue("x-ms-version", _version);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("Accept", JsonAccept);
        return message;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();
}
