using System.Diagnostics;
using System.Text.Json;
using Azure.Data.Tables;
using BlocklistService.Testing;

namespace BlocklistService.Bench;

/// <summary>
/// Batched entity inserts (100-action transactions, one partition each, one in flight) through the official .NET SDK
/// (Azure.Data.Tables) against the official JavaScript SDK (@azure/data-tables) doing the same on the same Azurite.
/// No goal: the ratio shows what the .NET side of the service pays per entity relative to another official client.
/// </summary>
public sealed class StorageInsertBenchmark : IBenchmark
{
    public string Name => "storage-insert";

    public string Description => "batched Table inserts: Azure.Data.Tables vs @azure/data-tables on the same Azurite (entities/s)";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        var count = context.Scaled(10_000);
        await using var azurite = await Azurite.StartAsync(cancellationToken);
        var service = new TableServiceClient(azurite.ConnectionString);

        // Warm up the .NET client (JIT, connections) on a table of its own; node's start-up is outside its own timing.
        await InsertAsync(service.GetTableClient(Azurite.UniqueName("warm")), 300, cancellationToken);

        var script = Path.Combine(context.RepositoryRoot, "tools", "bench", "storage-insert.mjs");
        var node = await ProcessRunner.RunAsync(
            "node",
            [script, Azurite.UniqueName("benchjs"), count.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            environment: new Dictionary<string, string?> { ["AZURE_STORAGE_CONNECTION_STRING"] = azurite.ConnectionString },
            timeout: TimeSpan.FromMinutes(10),
            cancellationToken: cancellationToken);
        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException("the JavaScript baseline failed: " + node);
        }

        using var result = JsonDocument.Parse(node.StandardOutput);
        var javaScriptSeconds = result.RootElement.GetProperty("ms").GetDouble() / 1000;

        var stopwatch = Stopwatch.StartNew();
        await InsertAsync(service.GetTableClient(Azurite.UniqueName("benchcs")), count, cancellationToken);
        var ourSeconds = stopwatch.Elapsed.TotalSeconds;

        var ours = count / ourSeconds;
        var baseline = count / javaScriptSeconds;
        context.Report($"Azure.Data.Tables 12.13.0 ({count} entities, 100 per transaction)", ours, "entities/s");
        context.Report("@azure/data-tables 13.3.2 (same Azurite, same run)", baseline, "entities/s");
        context.Report("ratio .NET SDK / JavaScript SDK (no goal)", ours / baseline, "x");
    }

    private static async Task InsertAsync(TableClient table, int count, CancellationToken cancellationToken)
    {
        await table.CreateIfNotExistsAsync(cancellationToken);
        for (var start = 0; start < count; start += 100)
        {
            var actions = new List<TableTransactionAction>(100);
            for (var i = start; i < Math.Min(count, start + 100); i++)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, new TableEntity($"p{i / 100}", i.ToString("D8", System.Globalization.CultureInfo.InvariantCulture))
                {
                    ["Url"] = $"https://example.org/path/{i}",
                    ["Count"] = (long)i,
                    ["Listed"] = true,
                }));
            }

            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
    }
}
