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
    /// The real row store, failing every write that <paramref name="crashes"/> picks (table, rows written) as a lost
    /// connection: the fault is injected at the storage seam, under the real journal.
    /// </summary>
    private sealed class CrashingWrites(IRowStore inner, Func<string, IReadOnlyList<Row>, bool> crashes) : DelegatingRowStore(inner)
    {
        private Task Write(string table, IReadOnlyList<Row> rows, Func<Task> write) =>
            crashes(table, rows) ? throw new IOException("storage connection lost (injected)") : write();

        public override Task SubmitAsync(string table, IReadOnlyList<RowAction> actions, CancellationToken cancellationToken) =>
            Write(table, actions.Select(a => a.Row).ToList(), () => Inner.SubmitAsync(table, actions, cancellationToken));

        public override async Task<string> AddAsync(string table, Row row, CancellationToken cancellationToken)
        {
            var etag = string.Empty;
            await Write(table, [row], async () => etag = await Inner.AddAsync(table, row, cancellationToken));
            return etag;
        }

        public override async Task<string> UpdateAsync(string table, Row row, string ifMatch, CancellationToken cancellationToken)
        {
            var etag = string.Empty;
            await Write(table, [row], async () => etag = await Inner.UpdateAsync(table, row, ifMatch, cancellationToken));
            return etag;
        }

        public override Task UpsertAsync(string table, IReadOnlyList<Row> rows, CancellationToken cancellationToken) =>
            Write(table, rows, () => Inner.UpsertAsync(table, rows, cancellationToken));
    }

    /// <summary>A server on <paramref name="storage"/> whose row store crashes the writes <paramref name="crashes"/> picks.</summary>
    private static ApiFactory Crashing(AzuriteFixture storage, Func<string, IReadOnlyList<Row>, bool> crashes) =>
        new(storage.ConnectionString, new Dictionary<string, string?>(),
            services => services.AddSingleton<IRowStore>(sp => new CrashingWrites(sp.GetRequiredService<PublishStorage>().Rows, crashes)));

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task A_submission_cut_off_after_N_item_batches_is_invisible_and_its_retry_completes_it_once(int batchesBeforeCrash)
    {
        var sent = 0;
        await using var crashing = Crashing(storage, (table, rows) =>
            table == SubmissionRows.Table && rows.All(r => SubmissionRows.IsItemRow(r.RowKey)) && Interlocked.Increment(ref sent) > batchesBeforeCrash);
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

    /// <summary>Which write of the journal a crash cuts off (each in the order ingest writes them).</summary>
    public enum CrashPoint
    {
        /// <summary>The hotline's index row: before the commit point.</summary>
        Index,

        /// <summary>The head, the commit point: after the index row.</summary>
        Head,

        /// <summary>The pending markers: after the commit point.</summary>
        Pending,
    }

    [Theory]
    [InlineData(CrashPoint.Index, false)]
    [InlineData(CrashPoint.Head, false)]
    [InlineData(CrashPoint.Pending, true)]
    public async Task A_submission_cut_off_anywhere_is_in_the_hotlines_list_exactly_when_its_status_is_and_once_after_a_retry(CrashPoint point, bool committed)
    {
        var id = SubmissionIngest.SubmissionIdFor("index-hotline", "cut-key");
        await using var crashing = Crashing(storage, (table, rows) => point switch
        {
            CrashPoint.Index => table == SubmissionRows.Table && rows.Any(r => r.PartitionKey.StartsWith(SubmissionRows.IndexPartitionPrefix, StringComparison.Ordinal) && r.RowKey.EndsWith(id, StringComparison.Ordinal)),
            CrashPoint.Head => table == SubmissionRows.Table && rows.Any(r => r.PartitionKey == id && r.RowKey == SubmissionRows.HeadRow),
            _ => table == StorageNames.Pending && rows.Any(r => r.RowKey == id),
        });
        var (hotline, key) = await crashing.ClientForAsync(Roles.Hotline, "index-hotline");
        var earlier = await hotline.SendAsync(Payloads.Post(Payloads.Body(Payloads.Add("http://index.example/earlier")), "earlier-key"));
        var body = Payloads.Body(Payloads.Add("http://index.example/cut-off"), Payloads.Add("http://index.example/cut-off/2"));

        var killed = await hotline.SendAsync(Payloads.Post(body, "cut-key"));
        var statusAfterCrash = await hotline.GetAsync($"/api/v1/submissions/{id}");
        var listedAfterCrash = await ListedAsync(hotline);

        // the same storage, a healthy server: the retry finishes the submission
        await using var healthy = new ApiFactory(storage.ConnectionString, new Dictionary<string, string?> { ["Storage:TablePrefix"] = crashing.TablePrefix });
        var retryClient = healthy.WithKey(key.Value);
        var retry = await retryClient.SendAsync(Payloads.Post(body, "cut-key"));
        var listedAfterRetry = await ListedAsync(retryClient);

        Assert.Equal(HttpStatusCode.InternalServerError, killed.StatusCode);
        Assert.Equal(committed ? HttpStatusCode.OK : HttpStatusCode.NotFound, statusAfterCrash.StatusCode);
        Assert.Equal(committed, listedAfterCrash.Contains(id));
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await retryClient.GetAsync($"/api/v1/submissions/{id}")).StatusCode);
        Assert.Equal([id, (await earlier.JsonAsync()).GetProperty("submissionId").GetString()!], listedAfterRetry);
        if (point == CrashPoint.Head)
        {
            // the cut-off attempt's index row is still there, unlisted: the retry committed under another receive time
            Assert.Equal(3, (await crashing.RowsAsync(StorageNames.Submissions, SubmissionRows.IndexPartition("index-hotline"))).Count);
        }
    }

    private static async Task<string[]> ListedAsync(HttpClient hotline) =>
        (await (await hotline.GetAsync("/api/v1/submissions")).JsonAsync()).GetProperty("submissions").EnumerateArray()
            .Select(s => s.GetProperty("submissionId").GetString()!).ToArray();
}
