using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlocklistService.Cli.Audit;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using BlocklistService.Cli.State;
using BlocklistService.Cli.Sync;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Signing;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist audit history|verify|export</c>: the auditor's view of the transparency log (needs an auditor API key).</summary>
public static class AuditCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("audit", "Auditor tools: an entry's history, verification of the transparency log against every signed manifest, exports of a time range.");
        command.Subcommands.Add(History(global));
        command.Subcommands.Add(Verify(global));
        command.Subcommands.Add(Export(global));
        command.Subcommands.Add(AuditBundleCommands.Bundle(global));
        command.Subcommands.Add(AuditBundleCommands.VerifyBundle(global));
        return command;
    }

    private static Command History(GlobalOptions global)
    {
        var target = new Argument<string>("url-or-id") { Description = "A URL (canonicalized as the service does) or a 64-hex entry id." };
        var scope = new Option<string?>("--scope") { Description = "Only the entry of this scope: exact, path or host. Default: every scope the URL can name." };
        scope.AcceptOnlyFromAmong("exact", "path", "host");
        var command = new Command("history", "Every logged change of an entry: adds, withdrawals, removals and expiries, with list, version, hotline and reference.") { target, scope };
        global.AddHelp(command, """
            Notes:
              A URL names up to three entries: the exact URL, its path and its host. Without --scope, history looks up
              each of them and prints those that have a logged change ({"url", "entries": [...]} with --json); with
              --scope or an entry id it prints that one entry.

            Examples:
              blocklist audit history https://evil.example/
              blocklist audit history https://evil.example/a/b.jpg --scope exact --json
              blocklist audit history 3f0c...e91
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var value = parse.GetValue(target)!;
            var wanted = parse.GetValue(scope);
            using var http = await ClientAsync(global, parse, cancellationToken);
            if (CliSettingsLoader.IsKeyId(value) || wanted is not null)
            {
                var path = CliSettingsLoader.IsKeyId(value)
                    ? $"api/v1/audit/entries/{value.ToLowerInvariant()}"
                    : $"api/v1/audit/entries?url={Uri.EscapeDataString(value)}&scope={Uri.EscapeDataString(wanted!)}";
                var entry = await GetAsync(http, path, $"Reading the history of {value}", cancellationToken);
                console.Result(entry, ansi => Print(ansi, entry));
                return ExitCodes.Ok;
            }

            // The id of each scope's expression is computed here, as the service would; the service is asked by id.
            var ids = new[] { EntryScope.Exact, EntryScope.Path, EntryScope.Host }
                .Select(s => EntryExpression.Create(value, s))
                .Where(r => r.Rejection is null)
                .Select(r => r.Value.Id.Hex)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (ids.Count == 0)
            {
                var failure = EntryExpression.Create(value, EntryScope.Exact).Rejection!;
                throw CliException.Usage("invalid-url", $"'{value}' is not a URL an entry can name: {failure.Message}", "Give an http(s) URL or a 64-hex entry id.");
            }

            var found = new List<JsonElement>();
            foreach (var id in ids)
            {
                var entry = await GetAsync(http, $"api/v1/audit/entries/{id}", $"Reading the history of {value}", cancellationToken);
                if (entry.TryGetProperty("history", out var history) && history.GetArrayLength() > 0)
                {
                    found.Add(entry);
                }
            }

            console.Result(new { url = value, entries = found }, ansi =>
            {
                if (found.Count == 0)
                {
                    ansi.WriteLine($"No entry for {value} (exact, path or host) has a logged change.");
                }

                foreach (var entry in found)
                {
                    Print(ansi, entry);
                }
            });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static void Print(IAnsiConsole ansi, JsonElement entry)
    {
        ansi.WriteLine($"entry {entry.GetProperty("entryId").GetString()} {entry.GetProperty("expression")} ({(entry.TryGetProperty("scope", out var s) ? s.ToString() : "")})");
        var table = new Table().AddColumn("leaf").AddColumn("published").AddColumn("list").AddColumn("version").AddColumn("change").AddColumn("hotline").AddColumn("reference");
        foreach (var item in entry.GetProperty("history").EnumerateArray())
        {
            using var leaf = JsonDocument.Parse(item.GetProperty("leaf").GetString()!);
            var l = leaf.RootElement;
            table.AddRow(
                item.GetProperty("index").ToString(),
                Field(l, "publishedAt"),
                Markup.Escape(Field(l, "list")),
                Field(l, "version"),
                Markup.Escape(Field(l, "kind")),
                Markup.Escape(Field(l, "hotline")),
                Markup.Escape(Field(l, "reference")));
        }

        ansi.Write(table);
    }

    private static string Field(JsonElement leaf, string name) =>
        leaf.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.ToString() : "";

    private static Command Verify(GlobalOptions global)
    {
        var keys = new Option<string[]>("--key")
        {
            Description = "A pinned signing key: a PEM file of the public key, or its 64-hex key id (repeatable). Default: the config's trustedKeys.",
            HelpName = "file|keyid",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("verify", "Check the signed checkpoint, consistency with every checkpoint seen before, every leaf, and replay every list against its signed manifests.") { keys };
        global.AddHelp(command, """
            Examples:
              blocklist audit verify --key service.pem
              blocklist audit verify --key 22ad7cd0...6f237 --json
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(TrustedKeys: parse.GetValue(keys)), cancellationToken);
            if (settings.TrustedKeys.Value.Count == 0)
            {
                throw CliException.Usage("trusted-key-missing", "audit verify needs the service's signing key to check signatures against.", TrustedKeys.MissingHint.Replace("--trusted-key", "--key", StringComparison.Ordinal));
            }

            using var service = ServiceClient.FromSettings(settings, requireKey: true, "audit verify");
            using var verifier = SignatureVerifier.FromSpki(await TrustedKeys.LoadKeysAsync(settings.TrustedKeys.Value, service, cancellationToken));
            using var http = service.CreateHttpClient();
            var report = await new AuditVerifier(http, verifier, settings.StateDirectory.Value).VerifyAsync(cancellationToken);
            console.Result(report, ansi =>
            {
                if (report.Ok)
                {
                    ansi.MarkupLineInterpolated($"OK: {report.TreeSize} leaves, {report.Lists} lists, {report.Manifests} manifests replayed, {report.ConsistencyProofs} consistency proofs over {report.CheckpointsSeen} checkpoints seen, {report.Decisions} decisions");
                }
                else
                {
                    ansi.MarkupLineInterpolated($"DISCREPANCY: {report.Discrepancy}");
                }
            });
            return report.Ok ? ExitCodes.Ok : ExitCodes.Failure;
        }, cancellationToken));
        return command;
    }

    private static Command Export(GlobalOptions global)
    {
        var from = new Option<string?>("--from") { Description = "Start of the range (inclusive): an ISO 8601 date or time, e.g. 2026-11-01. Default: the first leaf.", HelpName = "time" };
        var to = new Option<string?>("--to") { Description = "End of the range (exclusive). Default: now.", HelpName = "time" };
        var format = new Option<string>("--format") { Description = "csv or jsonl.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var file = new Option<string?>("--output", "-o") { Description = "Write to this file (replaced atomically, mode 0600). Default: standard output.", HelpName = "file" };
        var command = new Command("export", "Every transparency-log leaf published in a time range, as CSV or JSON Lines, e.g. for a court or a regulator.") { from, to, format, file };
        global.AddHelp(command, """
            Examples:
              blocklist audit export --from 2026-11-01 --to 2026-12-01 --output november.csv
              blocklist audit export --from 2026-11-01T00:00:00Z --format jsonl > leaves.jsonl
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            using var http = await ClientAsync(global, parse, cancellationToken);
            var query = new List<string> { "format=" + parse.GetValue(format) };
            if (parse.GetValue(from) is { } f)
            {
                query.Add("from=" + Uri.EscapeDataString(f));
            }

            if (parse.GetValue(to) is { } t)
            {
                query.Add("to=" + Uri.EscapeDataString(t));
            }

            using var response = await http.GetAsync("api/v1/audit/export?" + string.Join("&", query), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ServiceClient.FailureAsync(response, "Exporting the log", cancellationToken);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            if (parse.GetValue(file) is not { } path)
            {
                using var reader = new StreamReader(body);
                var buffer = new char[1 << 14];
                int read;
                while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await global.Environment.Output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                await global.Environment.Output.FlushAsync(cancellationToken);
                return ExitCodes.Ok;
            }

            var lines = await AtomicFileWriter.WriteTextAsync(
                path,
                async (writer, ct) =>
                {
                    using var reader = new StreamReader(body);
                    long count = 0;
                    while (await reader.ReadLineAsync(ct) is { } line)
                    {
                        await writer.WriteLineAsync(line.AsMemory(), ct);
                        count++;
                    }

                    return count;
                },
                cancellationToken);
            var records = Math.Max(0, lines - (parse.GetValue(format) == "csv" ? 1 : 0));
            console.Result(new { file = Path.GetFullPath(path), records }, ansi => ansi.WriteLine($"Wrote {records} leaves to {Path.GetFullPath(path)}."));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string path, string what, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceClient.FailureAsync(response, what, cancellationToken);
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.Clone();
    }

    private static async Task<HttpClient> ClientAsync(GlobalOptions global, ParseResult parse, CancellationToken cancellationToken)
    {
        var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken);
        using var service = ServiceClient.FromSettings(settings, requireKey: true, "audit");
        return service.CreateHttpClient();
    }
}
