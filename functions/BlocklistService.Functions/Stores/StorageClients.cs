using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// The one place the official storage clients are built: from a connection string (Azurite, development) or from
/// the account's endpoints with the service's <see cref="TokenCredential"/> (the managed identity in Azure), with
/// the retry policy of the calling side (<see cref="StorageCaller"/>).
/// </summary>
public static class StorageClients
{
    /// <param name="outage">Where the request path's calls record their outcomes; required for <see cref="StorageCaller.RequestPath"/>.</param>
    public static (TableServiceClient Tables, BlobServiceClient Blobs) Create(
        StorageOptions options, StorageCaller caller, Func<TokenCredential> credential, StorageOutageSignal? outage = null)
    {
        var retry = caller == StorageCaller.Publisher ? options.Publisher : options.RequestPath;
        var tableOptions = new TableClientOptions();
        var blobOptions = new BlobClientOptions();
        Apply(retry, tableOptions.Retry);
        Apply(retry, blobOptions.Retry);
        if (caller == StorageCaller.RequestPath)
        {
            // per call, around the retries: a request spends the retry policy on a failing storage account once, and
            // the instance's outage signal sees each call's final outcome
            var scope = new RequestStorageScope(outage ?? throw new ArgumentNullException(nameof(outage), "the request path records its outcomes"));
            tableOptions.AddPolicy(scope, HttpPipelinePosition.PerCall);
            blobOptions.AddPolicy(scope, HttpPipelinePosition.PerCall);
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return (new TableServiceClient(options.ConnectionString, tableOptions), new BlobServiceClient(options.ConnectionString, blobOptions));
        }

        var blobEndpoint = options.BlobEndpoint
            ?? throw new InvalidOperationException("Storage:BlobEndpoint is required with Storage:TableEndpoint");
        var tableEndpoint = options.TableEndpoint
            ?? throw new InvalidOperationException("Storage:TableEndpoint is required without Storage:ConnectionString");
        var token = credential();
        return (new TableServiceClient(tableEndpoint, token, tableOptions), new BlobServiceClient(blobEndpoint, token, blobOptions));
    }

    private static void Apply(StorageRetryOptions from, RetryOptions to)
    {
        to.Mode = RetryMode.Exponential;
        to.NetworkTimeout = from.NetworkTimeout;
        to.MaxRetries = from.MaxRetries;
        to.Delay = from.Delay;
        to.MaxDelay = from.MaxDelay;
    }
}
