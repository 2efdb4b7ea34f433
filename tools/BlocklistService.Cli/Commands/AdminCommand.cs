using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist admin …</c>: operator verbs on the admin API (an admin key is required).</summary>
public static class AdminCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("admin", "Operator actions on the service (admin key required); every decision is logged with a reason.");
        command.Subcommands.Add(Revert(global));
        return command;
    }

    /// <summary><c>blocklist admin revert LIST --to-version N --reason WHY</c>: <c>POST /api/v1/admin/lists/{list}/revert</c>.</summary>
    private static Command Revert(GlobalOptions global)
    {
        var list = new Argument<string>("list") { Description = "The list to revert, e.g. eu." };
        var toVersion = new Option<long>("--to-version") { Description = "The earlier version whose state to publish again.", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (1 to 1,000 characters); recorded with your key id in the transparency log.", Required = true };
        var revert = new Command("revert", "Emergency revert: publish now a new version whose entries are exactly those of an earlier one (bypasses holds, not the log).")
        {
            list, toVersion, reason,
        };
        global.AddHelp(revert, """
            Examples:
              blocklist admin revert eu --to-version 41 --reason "version 42 was built from the wrong file"
            Then watch `GET /api/v1/admin/isps` until every ISP reports the new version (docs/operations.md, over-block runbook).
            """);
        revert.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = ServiceClient.FromSettings(await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken), requireKey: true, "admin revert");
            var name = parse.GetValue(list)!;
            using var response = await service.SendJsonAsync(HttpMethod.Post, $"api/v1/admin/lists/{Uri.EscapeDataString(name)}/revert",
                new { toVersion = parse.GetValue(toVersion), reason = parse.GetValue(reason) }, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ServiceClient.FailureAsync(response, $"Reverting {name}", cancellationToken);
            }

            var result = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            output.Result(result, console => console.MarkupLineInterpolated(
                $"Published {name} version [bold]{result.GetProperty("version").GetInt64()}[/] with the state of version {result.GetProperty("toVersion").GetInt64()} (state hash {result.GetProperty("stateHash").GetString()}): +{result.GetProperty("listed").GetInt32()} -{result.GetProperty("unlisted").GetInt32()}; decision leaf {result.GetProperty("decisionIndex").GetInt64()}."));
            return ExitCodes.Ok;
        }, cancellationToken));
        return revert;
    }
}
