using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace BlocklistService.Storage.Pipeline;

/// <summary>
/// The Azure.Core pipeline a client sends through (retry, logging, authentication) plus the one way failures
/// become exceptions: a <see cref="RequestFailedException"/> carrying status, Azure error code and request id.
/// </summary>
internal sealed class StoragePipeline
{
    /// <summary>The scope a <see cref="TokenCredential"/> is asked for: Azure Storage data plane.</summary>
    public const string TokenScope = "https://storage.azure.com/.default";

    private readonly HttpPipeline _pipeline;

    private StoragePipeline(HttpPipeline pipeline) => _pipeline = pipeline;

    public static StoragePipeline WithSharedKey(ClientOptions options, StorageSharedKeyCredential credential, SharedKeyForm form, TimeProvider time) =>
        Build(options, new SharedKeyPolicy(credential, form, time));

    public static StoragePipeline WithToken(ClientOptions options, TokenCredential credential) =>
        Build(options, new BearerTokenAuthenticationPolicy(credential, TokenScope));

    private static StoragePipeline Build(ClientOptions options, HttpPipelinePolicy authentication)
    {
        var pipelineOptions = new HttpPipelineOptions(options)
        {
            RequestFailedDetailsParser = StorageErrorParser.Instance,
        };
        pipelineOptions.PerRetryPolicies.Add(authentication);
        return new StoragePipeline(HttpPipelineBuilder.Build(pipelineOptions));
    }

    public HttpMessage CreateMessage() => _pipeline.CreateMessage();

    /// <summary>Sends <paramref name="message"/>; returns the response when its status is one of <paramref name="expected"/>, else throws.</summary>
    public async ValueTask<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken, params int[] expected)
    {
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (Array.IndexOf(expected, response.Status) < 0)
        {
            throw Failure(response);
        }

        return response;
    }

    public static RequestFailedException Failure(Response response) => new(response, null, StorageErrorParser.Instance);
}
