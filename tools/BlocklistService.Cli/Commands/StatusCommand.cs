using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist status ID</c> (hotline): each item of a submission — rejected (why), held, pending, or published in list version N.</summary>
public static class StatusCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = new Argument<string>("submission") { Description = "The submission id that `blocklist submit` printed (s + 40 hex)." };
        var command = new Command("status", "Show each item of a submission: rejected (why), held, pending, or published in which list version.") { id };
        global.AddHelp(command, """
            Examples:
              blocklist status s3f0c...e91
              blocklist status s3f0c...e91 --json
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken);
            using var service = ServiceClient.FromSettings(settings, requireKey: true, "status");
            var submission = parse.GetValue(id)!;
            using var response = await service.SendAsync(new HttpRequestMessage(HttpMethod.Get, service.Resolve("api/v1/submissions/" + Uri.EscapeDataString(submission))), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ServiceClient.FailureAsync(response, $"Reading submission {submission}", cancellationToken);
            }

            var status = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            output.Result(status, console =>
            {
                var table = new Table().AddColumn("#").AddColumn("state").AddColumn("action").AddColumn("expression").AddColumn("lists").AddColumn("reason");
                foreach (var item in status.GetProperty("items").EnumerateArray())
                {
                    var lists = item.TryGetProperty("lists", out var l) && l.ValueKind == JsonValueKind.Array
                        ? string.Join(", ", l.EnumerateArray().Select(x => x.GetProperty("state").GetString() == "published" ? $"{x.GetProperty("list").GetString()} v{x.GetProperty("version")}" : $"{x.GetProperty("list").GetString()} {x.GetProperty("state").GetString()}"))
                        : "";
                    table.AddRow(
                        Markup.Escape(item.GetProperty("index").ToString()),
                        Markup.Escape(Text(item, "state")),
                        Markup.Escape(Text(item, "action")),
                        Markup.Escape(Text(item, "expression")),
                        Markup.Escape(lists),
                        Markup.Escape(Text(item, "reason")));
                }

                console.MarkupLineInterpolated($"Submission {submission}, received {Text(status, "received")}");
                console.Write(table);
            });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined ? value.ToString() : "";
}
