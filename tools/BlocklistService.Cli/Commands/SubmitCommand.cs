using System.CommandLine;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using BlocklistService.Cli.Submit;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist submit FILE</c> (hotline): sends a CSV or JSON Lines file of items in resumable, idempotent batches.</summary>
public static class SubmitCommand
{
    public static Command Create(GlobalOptions global)
    {
        var file = new Argument<string>("file") { Description = "CSV (header row) or JSON Lines file of submission items." };
        var format = new Option<string?>("--format") { Description = "csv or jsonl. Default: by extension (.jsonl, .ndjson, .json: JSON Lines; else CSV)." };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var batchSize = new Option<int>("--batch-size") { Description = "Items per request.", DefaultValueFactory = _ => 1000 };
        batchSize.Validators.Add(result =>
        {
            if (result.GetValue(batchSize) is < 1 or > 10_000)
            {
                result.AddError("--batch-size must be between 1 and 10000.");
            }
        });
        var rejects = new Option<string?>("--rejects") { Description = "Where to write rejected items as CSV: rejected_line, rejected_code, rejected_message, then the item's own columns (fix and submit it again as it is). Default: FILE.rejects.csv.", HelpName = "file" };

        var command = new Command("submit", "Submit URLs (add or remove) from a CSV or JSON Lines file, in batches, resumably.") { file, format, batchSize, rejects };
        global.AddHelp(command, """
            Notes:
              CSV columns (header row, any order): action, url, scope, lists, category, reference, verifiedAt, verifiedBy,
              reviewBy; several lists or analysts in one cell are separated by ';'. JSON Lines: one item object a line,
              with the same fields (lists and verifiedBy as arrays).
              The file is streamed. Each batch carries an Idempotency-Key derived from the file's SHA-256, the batch size
              and the batch index; finished batches are recorded under STATE_DIR/submissions/, so after an interruption
              the same command sends only what is left, and a batch that did arrive is not journaled twice.
              An item naming the same entry as an earlier line (same action; the URL compared after canonicalization, so
              a #fragment makes no difference) is not sent and is reported as duplicate-in-file.
              `blocklist status FILE` shows every item of the file, by line, across all its batches.
              Needs a hotline API key in BLOCKLIST_API_KEY (or the config's apiKey).

            Examples:
              blocklist submit reports.csv
              blocklist submit reports.jsonl --batch-size 500 --rejects rejected.csv --json
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken);
            var input = parse.GetValue(file)!;
            if (!File.Exists(input))
            {
                throw CliException.Usage("input-missing", $"The file {input} does not exist.", "Give the path of a CSV or JSON Lines file.");
            }

            using var service = ServiceClient.FromSettings(settings, requireKey: true, "submit");
            var uploader = new SubmissionUploader(service, global.Environment.Time);
            var jsonLines = SubmissionSource.IsJsonLines(input, parse.GetValue(format));
            var rejectsPath = parse.GetValue(rejects) ?? input + ".rejects.csv";
            UploadResult result;
            if (output.IsJson || !global.Environment.IsInteractive)
            {
                result = await uploader.UploadAsync(input, jsonLines, parse.GetValue(batchSize), settings.StateDirectory.Value, rejectsPath, null, cancellationToken);
            }
            else
            {
                // The bar counts items answered by the service, not bytes read: reading runs ahead of sending.
                var total = Math.Max(1, await SubmissionSource.CountAsync(input, jsonLines, cancellationToken));
                result = await output.Console.Progress().StartAsync(async context =>
                {
                    var task = context.AddTask($"submitting {Markup.Escape(Path.GetFileName(input))}", maxValue: total);
                    return await uploader.UploadAsync(input, jsonLines, parse.GetValue(batchSize), settings.StateDirectory.Value, rejectsPath, new Bar(task), cancellationToken);
                });
            }

            output.Result(result, console =>
            {
                console.MarkupLineInterpolated($"Submitted {result.Items} items in {result.Batches} batches ({result.BatchesResumed} already done before): [green]{result.Accepted} accepted[/], [red]{result.Rejected} rejected[/], {result.Held} held for review.");
                foreach (var id in result.Submissions)
                {
                    console.WriteLine($"  submission {id}   (blocklist status {id})");
                }

                foreach (var r in result.Rejections.Take(20))
                {
                    console.MarkupLineInterpolated($"  [red]line {r.Line}[/] {r.Url}: {r.Code}: {r.Message}");
                }

                if (result.Rejections.Count > 20)
                {
                    console.WriteLine($"  ... {result.Rejections.Count - 20} more");
                }

                if (result.RejectsFile is not null)
                {
                    console.WriteLine($"Rejections written to {result.RejectsFile}");
                }
            });
            return result.Rejected > 0 ? ExitCodes.Failure : ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private sealed class Bar(ProgressTask task) : IProgress<long>
    {
        public void Report(long value) => task.Value = value;
    }
}
