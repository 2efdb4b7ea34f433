using System.Net;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using BlocklistService.Storage.Blobs;
using BlocklistService.Storage.Tables;
using BlocklistService.Testing;

namespace BlocklistService.Storage.Tests.Pipeline;

/// <summary>Retries and authentication, with a handler in front of the real Azurite that fails the first attempts.</summary>
[Collection(StorageCollection.Name)]
public sealed class StoragePipelineTests(AzuriteFixture storage)
{
    private static TableClientOptions Options(HttpMessageHandler handler)
    {
        var options = new TableClientOptions { Transport = new HttpClientTransport(new HttpClient(handler)) };
        options.Retry.Delay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Transient_statuses_are_retried_until_the_service_answers(int status)
    {
        var handler = new FailingHandler((HttpStatusCode)status, failures: 2);
        var table = new TableServiceClient(storage.ConnectionString, Options(handler)).GetTableClient(Azurite.UniqueName("retry"));

        var created = await table.CreateIfNotExistsAsync();

        Assert.Equal(204, created.GetRawResponse().Status);
        Assert.Equal(3, handler.Attempts);
    }

    [Fact]
    public async Task Retries_give_up_after_the_configured_count_with_the_last_status()
    {
        var handler = new FailingHandler(HttpStatusCode.ServiceUnavailable, failures: 100);
        var options = Options(handler);
        options.Retry.MaxRetries = 2;
        var table = new TableServiceClient(storage.ConnectionString, options).GetTableClient(Azurite.UniqueName("retry"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.CreateIfNotExistsAsync());

        Assert.Equal(503, error.Status);
        Assert.Equal("ServerBusy", error.ErrorCode);
        Assert.Equal(3, handler.Attempts);
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        var handler = new FailingHandler(HttpStatusCode.BadRequest, failures: 100);
        var table = new TableServiceClient(storage.ConnectionString, Options(handler)).GetTableClient(Azurite.UniqueName("retry"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.CreateIfNotExistsAsync());

        Assert.Equal(400, error.Status);
        Assert.Equal(1, handler.Attempts);
    }

    [Fact]
    public async Task A_token_credential_is_asked_for_the_storage_scope_and_sent_as_a_bearer_token()
    {
        var credential = new RecordingCredential();
        var handler = new RecordingHandler();
        var options = new BlobClientOptions { Transport = new HttpClientTransport(new HttpClient(handler)) };
        var blob = new BlobServiceClient(new Uri("https://blk.blob.core.windows.net"), credential, options)
            .GetBlobContainerClient("artifacts").GetBlobClient("keys.json");

        Assert.False((await blob.ExistsAsync()).Value);

        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("Bearer token-1", request.Headers.Authorization?.ToString());
        Assert.Equal("2025-01-05", request.Headers.GetValues("x-ms-version").Single());
        Assert.Equal(new Uri("https://blk.blob.core.windows.net/artifacts/keys.json"), request.RequestUri);
    }

    /// <summary>Answers the first <c>failures</c> attempts itself with <c>status</c>, then forwards to Azurite.</summary>
    private sealed class FailingHandler(HttpStatusCode status, int failures) : DelegatingHandler(new HttpClientHandler())
    {
        public int Attempts { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (++Attempts <= failures)
            {
                var response = new HttpResponseMessage(status) { Content = new StringContent("""{"odata.error":{"code":"ServerBusy","message":{"lang":"en-US","value":"try later"}}}""") };
                response.Headers.Add("x-ms-error-code", status == HttpStatusCode.BadRequest ? "InvalidInput" : "ServerBusy");
                return response;
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound));
        }
    }

    private sealed class RecordingCredential : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return ValueTask.FromResult(new AccessToken("token-1", DateTimeOffset.UtcNow.AddHours(1)));
        }
    }
}
