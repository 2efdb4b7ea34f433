using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using BlocklistService.Cli.Submit;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary>
/// <c>blocklist status ID|FILE</c> (hotline): each item of a submission, or of every batch a file was sent in —
/// rejected (why), held, pending, or published in list version N — with its input line and report reference.
/// </summary>
public static partial class StatusCommand
{
    /// <summary>Rows printed as a table; beyond this, a count and a pointer to <c>--json</c>.</summary>
    private const int MaxRows = 50;

    public static Command Create(GlobalOptions global)
    {
        var target = new Argument<string>("submission-or-file") { Description = "A submission id that `blocklist submit` printed (s + 40 hex), or the file it sent." };
        var command = new Command("status", "Show each item of a submission or of a submitted file: rejected (why), held, pending, or published in which list version.") { target };
        global.AddHelp(command, """
            Notes:
              With a file, status finds the batches `blocklist submit FILE` sent (recorded under STATE_DIR/submissions/,
              by the file's SHA-256, so run it on the machine and state directory that sent it) and shows every item by
              its line, items refused before sending (unreadable rows, duplicates) included.

            Examples:
              blocklist status reports.csv
              blocklist status s3f0c...e91
              blocklist status reports.csv --json
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken);
            var value = parse.GetValue(target)!;
            var isId = SubmissionId().IsMatch(value);
            if (!isId && !File.Exists(value))
            {
                throw CliException.Usage("status-target", $"'{value}' is neither a submission id (s + 40 hex) nor an existing file.", "Give the id `blocklist submit` printed, or the path of the file it sent.");
            }

            using var service = ServiceClient.FromSettings(settings, requireKey: true, "status");
            var state = settings.StateDirectory.Value;
            List<JsonObject> rows;
            JsonObject document;
            if (isId)
            {
                var record = await UploadRecords.ForSubmissionAsync(state, value, cancellationToken);
                var status = await ReadAsync(service, value, cancellationToken);
                rows = Items(status, value, record?.Batch.Lines);
                document = new JsonObject
                {
                    ["submissionId"] = value,
                    ["received"] = status["received"]?.DeepClone(),
                    ["file"] = record?.Upload.File,
                    ["items"] = new JsonArray([.. rows]),
                };
            }
            else
            {
                var sha = await SubmissionUploader.HashFileAsync(value, cancellationToken);
                var upload = await UploadRecords.ForFileAsync(state, sha, cancellationToken)
                    ?? throw new CliException(
                        "no-upload-record",
                        $"There is no record in {Path.Combine(state, "submissions")} of sending {value} with its present content (SHA-256 {sha}).",
                        "Run `blocklist submit FILE` first (a file changed since it was sent is another file), or use the same --state-dir as submit did, or give a submission id.");
                rows = [];
                foreach (var batch in upload.Batches.OrderBy(b => b.Index))
                {
                    var sentRows = batch.SubmissionId is { } id ? Items(await ReadAsync(service, id, cancellationToken), id, batch.Lines) : [];
                    rows.AddRange(sentRows);
                    rows.AddRange(batch.Rejections.Where(r => r.Code is "unreadable" or "duplicate-in-file").Select(Local));
                }

                rows.Sort((a, b) => Line(a).CompareTo(Line(b)));
                document = new JsonObject
                {
                    ["file"] = upload.File,
                    ["sha256"] = sha,
                    ["submissions"] = new JsonArray([.. upload.Batches.OrderBy(b => b.Index).Select(b => b.SubmissionId).OfType<string>().Select(i => (JsonNode)JsonValue.Create(i))]),
                    ["counts"] = new JsonObject(rows.GroupBy(r => (string?)r["state"] ?? "").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => KeyValuePair.Create(g.Key, (JsonNode?)JsonValue.Create(g.Count())))),
                    ["items"] = new JsonArray([.. rows]),
                };
            }

            output.Result(document, console =>
            {
                console.WriteLine(isId
                    ? $"Submission {value}, received {document["received"]}{(document["file"] is { } f ? $", from {f}" : "")}"
                    : $"{value}: {rows.Count} items in {SubmissionCount(document)} submissions: {string.Join(", ", ((JsonObject)document["counts"]!).Select(c => $"{c.Value} {c.Key}"))}");
                var table = new Table().AddColumn("line").AddColumn("reference").AddColumn("state").AddColumn("action").AddColumn("expression").AddColumn("lists").AddColumn("reason");
                foreach (var row in rows.Take(MaxRows))
                {
                    table.AddRow(
                        Markup.Escape(row["line"]?.ToString() ?? "#" + row["index"]),
                        Markup.Escape(Text(row, "reference")),
                        Markup.Escape(Text(row, "state")),
                        Markup.Escape(Text(row, "action")),
                        Markup.Escape(Text(row, "expression") is { Length: > 0 } expression ? expression : Text(row, "url")),
                        Markup.Escape(Lists(row)),
                        Markup.Escape(Text(row, "message") is { Length: > 0 } message ? $"{Text(row, "reason")}: {message}" : Text(row, "reason")));
                }

                console.Write(table);
                if (rows.Count > MaxRows)
                {
                    console.WriteLine($"... {rows.Count - MaxRows} more items (--json prints them all)");
                }
            });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static int SubmissionCount(JsonObject document) => document["submissions"]!.AsArray().Count;

    [GeneratedRegex("^s[0-9a-f]{40}$")]
    private static partial Regex SubmissionId();

    private static async Task<JsonObject> ReadAsync(ServiceClient service, string id, CancellationToken cancellationToken)
    {
        using var response = await service.SendAsync(new HttpRequestMessage(HttpMethod.Get, service.Resolve("api/v1/submissions/" + Uri.EscapeDataString(id))), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceClient.FailureAsync(response, $"Reading submission {id}", cancellationToken);
        }

        return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken)
            ?? throw new CliException("bad-response", $"The service's answer for submission {id} was empty.", "Try again later.");
    }

    /// <summary>The service's items, each with its submission id and, when the upload record knows it, its input line.</summary>
    private static List<JsonObject> Items(JsonObject status, string submissionId, IReadOnlyList<long>? lines) =>
        (status["items"] as JsonArray ?? []).OfType<JsonObject>().Select(item =>
        {
            var row = (JsonObject)item.DeepClone();
            var index = row["index"] is JsonValue v && v.TryGetValue<int>(out var i) ? i : -1;
            if (lines is not null && index >= 0 && index < lines.Count)
            {
                row["line"] = lines[index];
            }

            row["submissionId"] = submissionId;
            return row;
        }).ToList();

    /// <summary>An item refused before sending (unreadable, or a duplicate of an earlier line).</summary>
    private static JsonObject Local(RejectedRecord rejection) => new()
    {
        ["line"] = rejection.Line,
        ["state"] = "rejected",
        ["reason"] = rejection.Code,
        ["message"] = rejection.Message,
        ["url"] = rejection.Url,
    };

    private static long Line(JsonObject row) => row["line"] is JsonValue v && v.TryGetValue<long>(out var line) ? line : long.MaxValue;

    private static string Lists(JsonObject row) =>
        row["lists"] is JsonArray lists
            ? string.Join(", ", lists.OfType<JsonObject>().Select(x => Text(x, "state") == "published" ? $"{Text(x, "list")} v{Text(x, "version")}" : $"{Text(x, "list")} {Text(x, "state")}"))
            : "";

    private static string Text(JsonObject element, string name) => element[name] is { } value ? value.ToString() : "";
}
