using System.Net;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Functions.Publishing;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Ingest;

/// <summary>A request killed part-way through the journal leaves nothing visible, and its retry completes it exactly once.</summary>
public sealed class CrashedSubmissionTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    /// <summary>
    /// The real row store, failing every item transaction of the journal after the first <paramref name="succeed"/> of
    /// them: the fault is injected at the storage seam, under the real journal.
    /// </summary>
    private sealed class FailingItemBatches(IRowStore inner, int succeed) : IRowStore
    {
        private int _sent;

        public Task SubmitAsync(string table, IReadOnlyList<RowAction> actions, CancellationToken cancellationToken) =>
            table == SubmissionRows.Table && actions.All(a => SubmissionRows.IsItemRow(a.Row.RowKey)) && Interlocked.Increment(ref _sent) > succeed
                ? throw new IOException("storage connection lost (injected)")
                : inner.SubmitAsync(table, actions, cancellationToken);

        public Task<Row?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) => inner.GetAsync(table, partitionKey, rowKey, cancellationToken);

        public IAsyncEnumerable<Row> QueryAsync(string table, string partitionKey, string? fromRowKey, string? toRowKey, CancellationToken cancellationToken) =>
            inner.QueryAsync(table, partitionKey, fromRowKey, toRowKey, cancellationToken);

        public IAsyncEnumerable<Row> QueryAllAsync(string table, CancellationToken cancellationToken) => inner.QueryAllAsync(table, cancellationToken);

        public Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken) => inner.AddAsync(table, row, cancellationToken);

        public Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken) => inner.UpdateAsync(table, row, ifMatch, cancellationToken);

        public Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken) => inner.UpsertAsync(table, rows, cancellationToken);

        public Task DeleteAsync(string table, IReadOnlyList<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken) => inner.DeleteAsync(table, keys, cancellationToken);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task A_submission_cut_off_after_N_item_batches_is_invisible_and_its_retry_completes_it_once(int batchesBeforeCrash)
    {
        var settings = new Dictionary<string, string?>();
        await using var crashing = new ApiFactory(storage.ConnectionString, settings,
            services => services.AddSingleton<IRowStore>(sp => new FailingItemBatches(sp.GetRequiredService<PublishStorage>().Rows, batchesBeforeCrash)));
        var (hotline, key) = await crashing.ClientForAsync(Roles.Hotline, "crash-hotline");
        var body = Payloads.ManyAdds(550, "crash");
        var id = SubmissionIngest.SubmissionIdFor("crash-hotline", "crash-key");

        var killed = await hotline.SendAsync(Payloads.Post(body, "crash-key"));

        Assert.Equal(HttpStatusCode.InternalServerError, killed.StatusCode);
        Assert.Equal("application/problem+json", killed.Content.Headers.ContentType!.MediaType);
        Assert.Equal(batchesBeforeCrash * SubmissionJournal.BatchSize, (await crashing.RowsAsync(StorageNames.Submissions, id)).Count);
        Assert.Equal(HttpStatusCode.NotFound, (await hotline.GetAsync($"/api/v1/submissions/{id}")).StatusCode);
        Assert.DoesNotContain(await crashing.RowsAsync(StorageNames.Pending, "eu"), r => r.RowKey == id);

        // The same storage, a healthy server: the retry finishes the submission.
        await using var healthy = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?> { ["Storage:TablePrefix"] = crashing.TablePrefix });
        var retryClient = healthy.WithKey(key.Value);
        var retry = await retryClient.SendAsync(Payloads.Post(body, "crash-key"));
        var again = await retryClient.SendAsync(Payloads.Post(body, "crash-key"));

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(await retry.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        var rows = await crashing.RowsAsync(StorageNames.Submissions, id);
        Assert.Equal(551, rows.Count);
        Assert.Equal(550, rows.Select(r => r.GetString("EntryId")).Where(e => !string.IsNullOrEmpty(e)).Distinct().Count());
        Assert.Single(await crashing.RowsAsync(StorageNames.Pending, "eu"), r => r.RowKey == id);
        var status = await (await retryClient.GetAsync($"/api/v1/submissions/{id}")).JsonAsync();
        Assert.Equal(550, status.GetProperty("items").GetArrayLength());
    }
}
