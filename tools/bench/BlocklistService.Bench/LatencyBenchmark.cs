using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BlocklistService.Testing;

namespace BlocklistService.Bench;

/// <summary>
/// End-to-end publishing latency: from a submission's 202 to the moment <c>GET /api/v1/lists/eu/manifest</c> returns a
/// version that includes it (the submission's status names the version that published it). (a) With the default
/// local scheduler (one publish cycle every 60 s), measured once for a submission made right after the server
/// started, so close to the worst case of one full interval (goal ≤ 70 s); (b) on demand, calling
/// <c>POST /api/v1/admin/publish</c> right after the 202 (median of 5). Baseline, same run: one blob upload plus
/// download on the same Azurite.
/// </summary>
public sealed class LatencyBenchmark : IBenchmark
{
    public string Name => "latency";

    public string Description => "submission 202 -> current manifest includes it: default 60 s scheduler (goal <= 70 s, ~1 min) and admin publish; vs a blob round trip";

    public async Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken)
    {
        await using var azurite = await Azurite.StartAsync(cancellationToken);

        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(Azurite.UniqueName("latency"));
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var roundTrips = new List<double>();
        var payload = BinaryData.FromBytes(new byte[700]);
        for (var i = 0; i < 21; i++)
        {
            var blob = container.GetBlobClient($"probe-{i}.json");
            var stopwatch = Stopwatch.StartNew();
            await blob.UploadAsync(payload, new BlobUploadOptions(), cancellationToken);
            await blob.DownloadContentAsync(cancellationToken);
            if (i > 0)
            {
                roundTrips.Add(stopwatch.Elapsed.TotalMilliseconds);
            }
        }

        var roundTrip = Median(roundTrips);

        // (b) on demand, with the scheduler off
        var onDemand = new List<double>();
        await using (var service = await LocalService.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["Publishing:Interval"] = "00:00:00" }, cancellationToken))
        {
            using var admin = service.Client(await service.IssueAdminKeyAsync(cancellationToken));
            using var hotline = service.Client(await LocalService.IssueKeyAsync(admin, "hotline", "bench-hotline", null, cancellationToken));
            using var isp = service.Client(await LocalService.IssueKeyAsync(admin, "isp", "bench-isp", ["eu"], cancellationToken));
            for (var run = 0; run < 6; run++)
            {
                var id = await LocalService.SubmitAsync(hotline, [$"http://ondemand{run}.example/page"], cancellationToken);
                var stopwatch = Stopwatch.StartNew();
                await LocalService.PublishAsync(admin, cancellationToken);
                await WaitUntilListedAsync(hotline, isp, id, TimeSpan.Zero, cancellationToken);
                if (run > 0)
                {
                    onDemand.Add(stopwatch.Elapsed.TotalMilliseconds);
                }
            }
        }

        // (a) the default local scheduler (Publishing:Interval not set: 60 s)
        double scheduled;
        await using (var service = await LocalService.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>(), cancellationToken))
        {
            using var admin = service.Client(await service.IssueAdminKeyAsync(cancellationToken));
            using var hotline = service.Client(await LocalService.IssueKeyAsync(admin, "hotline", "bench-hotline-2", null, cancellationToken));
            using var isp = service.Client(await LocalService.IssueKeyAsync(admin, "isp", "bench-isp-2", ["eu"], cancellationToken));
            var id = await LocalService.SubmitAsync(hotline, ["http://scheduled.example/page"], cancellationToken);
            var stopwatch = Stopwatch.StartNew();
            await WaitUntilListedAsync(hotline, isp, id, TimeSpan.FromMilliseconds(250), cancellationToken);
            scheduled = stopwatch.Elapsed.TotalSeconds;
        }

        context.Report("blob upload + download, median (baseline)", roundTrip, "ms");
        context.Report("202 -> manifest includes it, admin publish, median of 5", Median(onDemand), "ms");
        context.Report("admin publish / blob round trip", Median(onDemand) / roundTrip, "x");
        context.Report("202 -> manifest includes it, default scheduler (60 s), once", scheduled, "s");
        context.Ratio("scheduled latency (s)", scheduled, 70, higherIsBetter: false);
    }

    /// <summary>Polls until the submission's status names the version that published it and the current manifest is at least that version.</summary>
    private static async Task WaitUntilListedAsync(HttpClient hotline, HttpClient isp, string submissionId, TimeSpan pause, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            var status = JsonNode.Parse(await hotline.GetStringAsync($"/api/v1/submissions/{submissionId}", cancellationToken))!;
            if (status["items"]![0]!["lists"]![0]!["version"]?.GetValue<long>() is { } published)
            {
                var manifest = JsonNode.Parse(await isp.GetStringAsync("/api/v1/lists/eu/manifest", cancellationToken))!;
                if (manifest["version"]!.GetValue<long>() >= published)
                {
                    return;
                }
            }

            await Task.Delay(pause, cancellationToken);
        }

        throw new TimeoutException($"submission {submissionId} was not in the current manifest after 5 minutes");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
