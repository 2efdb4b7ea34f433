using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Ingest;
using BlocklistService.Functions.Stores;
using Azure.Data.Tables;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Bench;

/// <summary>
/// <c>POST /api/v1/submissions</c> throughput (batches of 1,000 over HTTP to Kestrel on 127.0.0.1: auth, validation,
/// canonicalization, journal rows, head, pending markers) on the whole server against the storage client's raw batched upserts of rows
/// of the same shape on the same Azurite in the same run.
/// </summary>
public sealed class IngestBenchmark : IBenchmark
{
    private const int BatchItems = 1000;

    public string Name => "ingest";

    public string Description => "submission ingest over HTTP (URLs/s) vs raw batched Table upserts of the same rows";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var batches = Math.Max(2, context.Scaled(20_000) / BatchItems);
        await using var azurite = await Azurite.StartAsync(cancellationToken);
        // The whole server as deployed (API, publisher, audit); its scheduler does not publish during the run.
        await using var service = await LocalService.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Publishing:Interval"] = "00:00:00" }, cancellationToken);
        var (key, _) = await service.Services.GetRequiredService<ApiKeyStore>().IssueAsync(Roles.Hotline, "bench-hotline", [], cancellationToken);
        using var http = service.Client(key.Value);
        var bodies = Enumerable.Range(0, batches + 1).Select(b => Body(b)).ToList();

        await SubmitAsync(http, bodies[batches], cancellationToken); // warm-up: JIT, connections, tables
        var stopwatch = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            await SubmitAsync(http, bodies[b], cancellationToken);
        }

        var apiSeconds = stopwatch.Elapsed.TotalSeconds;
        await PhasesAsync(service.Services, context, cancellationToken);

        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(Azurite.UniqueName("rawingest"));
        await table.CreateIfNotExistsAsync(cancellationToken);
        await RawInsertAsync(table, "warm", 300, cancellationToken);
        stopwatch.Restart();
        for (var b = 0; b < batches; b++)
        {
            await RawInsertAsync(table, $"s{b:D6}", BatchItems, cancellationToken);
        }

        var rawSeconds = stopwatch.Elapsed.TotalSeconds;

        var urls = batches * BatchItems;
        var ours = urls / apiSeconds;
        var baseline = urls / rawSeconds;
        context.Report($"POST /api/v1/submissions ({batches} x {BatchItems} URLs)", ours, "URLs/s");
        context.Report("raw batched upserts, same rows (same Azurite, same run)", baseline, "rows/s");
        context.Ratio("ratio ingest / raw batched insert", ours / baseline, 0.7);
    }

    /// <summary>
    /// The steps of one 1,000-item submission, called one by one on the server's own services and timed (mean of three):
    /// list lookup, validation and canonicalization, item-row transactions, hotline index row, head (commit point), pending
    /// marker and completion, in the order ingest writes them.
    /// </summary>
    private static async Task PhasesAsync(IServiceProvider services, BenchmarkContext context, CancellationToken cancellationToken)
    {
        var catalog = services.GetRequiredService<ListCatalog>();
        var validator = services.GetRequiredService<SubmissionValidator>();
        var journal = services.GetRequiredService<SubmissionJournal>();
        var phases = new Dictionary<string, double>(StringComparer.Ordinal);
        const int Runs = 3;
        for (var run = 0; run < Runs; run++)
        {
            var body = Encoding.UTF8.GetBytes(Body(1000 + run));
            var id = "s" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
            var stopwatch = Stopwatch.StartNew();
            void Lap(string phase)
            {
                phases[phase] = phases.GetValueOrDefault(phase) + stopwatch.Elapsed.TotalMilliseconds / Runs;
                stopwatch.Restart();
            }

            var names = await catalog.NamesAsync(cancellationToken);
            Lap("list names (query)");
            var (items, _) = validator.Validate(body, "bench-hotline", names);
            Lap("validate + canonicalize 1,000 items");
            await journal.WriteItemsAsync(id, "bench-hotline", items!, cancellationToken);
            Lap("item rows (10 transactions of 100)");
            var head = new SubmissionHead
            {
                SubmissionId = id, Hotline = "bench-hotline", IdempotencyKey = null, BodySha256 = new string('0', 64),
                Received = DateTimeOffset.UtcNow, ItemCount = items!.Count, Accepted = items.Count, Rejected = 0, Held = 0,
            };
            await journal.IndexAsync(head, cancellationToken);
            Lap("hotline index row");
            await journal.CommitAsync(head, cancellationToken);
            Lap("head row (commit point)");
            await journal.MarkPendingAsync(id, ["eu"], cancellationToken);
            Lap("pending marker");
            await journal.MarkCompletedAsync(id, cancellationToken);
            Lap("completed flag");
        }

        foreach (var (phase, milliseconds) in phases)
        {
            context.Report($"phase: {phase}", milliseconds, "ms");
        }
    }

    private static async Task SubmitAsync(HttpClient http, string body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/v1/submissions", content, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static string Body(int batch)
    {
        var items = new JsonArray();
        for (var i = 0; i < BatchItems; i++)
        {
            items.Add(new JsonObject
            {
                ["action"] = "add",
                ["url"] = $"http://host{batch}.example/gallery/{i}/image.jpg?id={i}",
                ["scope"] = "exact",
                ["lists"] = new JsonArray("eu"),
                ["category"] = "csam",
                ["reference"] = $"REF-{batch}-{i}",
                ["verifiedAt"] = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["verifiedBy"] = new JsonArray("analyst-a", "analyst-b"),
            });
        }

        return new JsonObject { ["items"] = items }.ToJsonString();
    }

    /// <summary>What the journal writes per item, without validation, HTTP or the head and markers.</summary>
    private static async Task RawInsertAsync(TableClient table, string partition, int count, CancellationToken cancellationToken)
    {
        for (var start = 0; start < count; start += 100)
        {
            var actions = new List<TableTransactionAction>(100);
            for (var i = start; i < Math.Min(count, start + 100); i++)
            {
                var expression = $"host.example/gallery/{i}/image.jpg?id={i}";
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, $"item-{i:D5}")
                {
                    ["Index"] = i, ["Hotline"] = "bench-hotline", ["Result"] = "accepted", ["Reason"] = string.Empty,
                    ["Action"] = "add", ["Url"] = "http://" + expression, ["Scope"] = "exact", ["Lists"] = "eu",
                    ["Category"] = "csam", ["Reference"] = $"REF-{i}", ["VerifiedBy"] = "analyst-a,analyst-b",
                    ["Expression"] = expression, ["EntryId"] = new string('a', 64), ["Host"] = "host.example",
                    ["VerifiedAt"] = DateTimeOffset.Parse("2026-01-10T09:30:00Z", CultureInfo.InvariantCulture),
                    ["ReviewBy"] = DateTimeOffset.Parse("2026-04-10T09:30:00Z", CultureInfo.InvariantCulture),
                }));
            }

            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
    }
}
