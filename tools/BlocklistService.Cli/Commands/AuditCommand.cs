using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
using BlocklistService.Cli.Audit;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using BlocklistService.Domain.Signing;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist audit history|verify</c>: the auditor's view of the transparency log (needs an auditor API key).</summary>
public static class AuditCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("audit", "Auditor tools: an entry's history, and verification of the transparency log against every signed manifest.");
        command.Subcommands.Add(History(global));
        command.Subcommands.Add(Verify(global));
        command.Subcommands.Add(AuditBundleCommands.Bundle(global));
        command.Subcommands.Add(AuditBundleCommands.VerifyBundle(global));
        return command;
    }

    private static Command History(GlobalOptions global)
    {
        var target = new Argument<string>("url-or-id") { Description = "A URL (canonicalized by the service) or a 64-hex entry id." };
        var scope = new Option<string>("--scope") { Description = "Scope of the URL: exact, path or host.", DefaultValueFactory = _ => "exact" };
        var command = new Command("history", "Every logged change of one entry: adds, withdrawals, removals and expiries, with list, version, hotline and reference.") { target, scope };
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var value = parse.GetValue(target)!;
            using var http = await ClientAsync(global, parse, cancellationToken);
            var path = value.Length == 64 && value.All(Uri.IsHexDigit)
                ? $"api/v1/audit/entries/{value.ToLowerInvariant()}"
                : $"api/v1/audit/entries?url={Uri.EscapeDataString(value)}&scope={Uri.EscapeDataString(parse.GetValue(scope)!)}";
            using var response = await http.GetAsync(path, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ServiceClient.FailureAsync(response, $"Reading the history of {value}", cancellationToken);
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);

            using var document = JsonDocument.Parse(body);
            var root = document.RootElement.Clone();
            console.Result(root, ansi =>
            {
                ansi.MarkupLineInterpolated($"entry {root.GetProperty("entryId").GetString()} {root.GetProperty("expression").ToString()}");
                var table = new Table().AddColumn("leaf").AddColumn("published").AddColumn("list").AddColumn("version").AddColumn("change").AddColumn("hotline").AddColumn("reference");
                foreach (var item in root.GetProperty("history").EnumerateArray())
                {
                    using var leaf = JsonDocument.Parse(item.GetProperty("leaf").GetString()!);
                    var l = leaf.RootElement;
                    table.AddRow(item.GetProperty("index").ToString(), l.GetProperty("publishedAt").ToString(), l.GetProperty("list").ToString(), l.GetProperty("version").ToString(),
                        l.GetProperty("kind").ToString(), Markup.Escape(l.GetProperty("hotline").ToString()), Markup.Escape(l.GetProperty("reference").ToString()));
                }

                ansi.Write(table);
            });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command Verify(GlobalOptions global)
    {
        var keys = new Option<string[]>("--key") { Description = "PEM file of a pinned signing public key (repeatable).", Required = true, AllowMultipleArgumentsPerToken = true };
        var command = new Command("verify", "Check the signed checkpoint, consistency with every checkpoint seen before, every leaf, and replay every list against its signed manifests.") { keys };
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken);
            var pems = parse.GetValue(keys)!.Select(File.ReadAllText).ToList();
            var pinned = SignatureVerifier.FromPem(pems);
            if (!pinned.IsSuccess)
            {
                throw CliException.Usage("invalid-key", pinned.Error!, "Give the service's P-256 public key as PEM (GET /api/v1/keys).");
            }

            using var verifier = pinned.Value;
            using var http = await ClientAsync(global, parse, cancellationToken);
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

    private static async Task<HttpClient> ClientAsync(GlobalOptions global, ParseResult parse, CancellationToken cancellationToken)
    {
        var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken);
        using var service = ServiceClient.FromSettings(settings, requireKey: true, "audit");
        var http = new HttpClient { BaseAddress = service.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", service.ApiKey);
        return http;
    }
}
