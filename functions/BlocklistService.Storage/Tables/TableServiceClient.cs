using Azure.Core;
using BlocklistService.Storage.Pipeline;

namespace BlocklistService.Storage.Tables;

/// <summary>The Table service of one storage account; hands out <see cref="TableClient"/>s that share its pipeline.</summary>
public sealed class TableServiceClient
{
    private readonly StoragePipeline _pipeline;
    private readonly string _version;

    /// <summary>From a connection string with an account key, or <c>UseDevelopmentStorage=true</c>.</summary>
    public TableServiceClient(string connectionString, TableClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options ?? new TableClientOptions())
    {
    }

    public TableServiceClient(Uri endpoint, StorageSharedKeyCredential credential, TableClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new TableClientOptions();
        Uri = endpoint;
        _version = options.Version;
        _pipeline = StoragePipeline.WithSharedKey(options, credential, SharedKeyForm.Table, options.TimeProvider);
    }

    /// <summary>With an Azure AD token (managed identity in Azure), scope <c>https://storage.azure.com/.default</c>.</summary>
    public TableServiceClient(Uri endpoint, TokenCredential credential, TableClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(credential);
        options ??= new TableClientOptions();
        Uri = endpoint;
        _version = options.Version;
        _pipeline = StoragePipeline.WithToken(options, credential);
    }

    private TableServiceClient(StorageConnectionString parsed, TableClientOptions options)
        : this(parsed.TableEndpoint, parsed.Credential, options)
    {
    }

    public Uri Uri { get; }

    /// <summary>A client for table <paramref name="tableName"/> (3–63 letters and digits, starting with a letter).</summary>
    public TableClient GetTableClient(string tableName) => new(_pipeline, Uri, tableName, _version);
}
