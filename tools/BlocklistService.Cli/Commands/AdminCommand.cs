using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary>
/// <c>blocklist admin ...</c> (admin key): the operator's decisions over the API — versions held by the change guard,
/// items held for review, publishing now, and which ISPs are behind.
/// </summary>
public static class AdminCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("admin", "Operator verbs (admin key): held versions, items held for review, publish now, ISP lag.");
        global.AddHelp(command, """
            Examples:
              blocklist admin holds
              blocklist admin hold show h-eu-7-3f0c
              blocklist admin hold approve h-eu-7-3f0c --reason "bulk import from hotline-nl checked with them"
              blocklist admin reviews
              blocklist admin review reject s3f0c...e91 4 --reason "the page is the host's own abuse-report form"
              blocklist admin publish --reason "urgent addition requested by hotline-nl"
              blocklist admin isps
            Needs an admin API key in BLOCKLIST_API_KEY (or the config's apiKey).
            """);
        command.Subcommands.Add(Holds(global));
        command.Subcommands.Add(Hold(global));
        command.Subcommands.Add(Reviews(global));
        command.Subcommands.Add(Review(global));
        command.Subcommands.Add(Publish(global));
        command.Subcommands.Add(Isps(global));
        command.Subcommands.Add(Revert(global));
        return command;
    }

    private static Command Holds(GlobalOptions global)
    {
        var command = new Command("holds", "Versions held by the change guard (more than its share of a list changes at once), awaiting a decision.");
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var holds = await GetAsync(service, "api/v1/admin/holds", "Listing held versions", cancellationToken);
            output.Result(holds, console => console.Write(HoldTable(holds.GetProperty("holds").EnumerateArray())));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command Hold(GlobalOptions global)
    {
        var command = new Command("hold", "Show, approve or reject one held version.");
        var showId = new Argument<string>("hold-id") { Description = "The hold's id, as `blocklist admin holds` lists it." };
        var show = new Command("show", "One held version: list, version, what it adds and removes, the submissions behind it.") { showId };
        show.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var id = parse.GetValue(showId)!;
            var holds = await GetAsync(service, "api/v1/admin/holds", "Listing held versions", cancellationToken);
            var hold = holds.GetProperty("holds").EnumerateArray().FirstOrDefault(h => h.GetProperty("id").GetString() == id);
            if (hold.ValueKind != JsonValueKind.Object)
            {
                throw new CliException("not-found", $"There is no held version {id}.", "Run `blocklist admin holds` for the ids.");
            }

            output.Result(hold, console =>
            {
                console.Write(HoldTable([hold]));
                console.WriteLine("submissions: " + string.Join(", ", hold.GetProperty("submissions").EnumerateArray().Select(s => s.GetString())));
            });
            return ExitCodes.Ok;
        }, cancellationToken));
        command.Subcommands.Add(show);
        command.Subcommands.Add(HoldDecision(global, "approve", "Approve a held version: it is published as planned."));
        command.Subcommands.Add(HoldDecision(global, "reject", "Reject a held version: its changes are dropped."));
        return command;
    }

    private static Command HoldDecision(GlobalOptions global, string verb, string description)
    {
        var id = new Argument<string>("hold-id") { Description = "The hold's id, as `blocklist admin holds` lists it." };
        var reason = ReasonOption();
        var command = new Command(verb, description) { id, reason };
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var hold = parse.GetValue(id)!;
            // the decision names the change set's digest (If-Match): the hold's ETag as read now
            using var shown = await service.SendJsonAsync(HttpMethod.Get, $"api/v1/admin/holds/{Uri.EscapeDataString(hold)}?limit=1", null, cancellationToken);
            if (!shown.IsSuccessStatusCode)
            {
                throw await ServiceClient.FailureAsync(shown, $"Reading held version {hold}", cancellationToken);
            }

            var digest = shown.Headers.ETag?.Tag;
            using var response = await service.SendJsonAsync(HttpMethod.Post, $"api/v1/admin/holds/{Uri.EscapeDataString(hold)}/{verb}", Body(parse.GetValue(reason)), cancellationToken,
                request => request.Headers.TryAddWithoutValidation("If-Match", digest ?? "\"\""));
            var decided = response.IsSuccessStatusCode
                ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)
                : throw await ServiceClient.FailureAsync(response, $"Deciding ({verb}) held version {hold}", cancellationToken);
            output.Result(decided, console =>
            {
                var status = decided.GetProperty("hold").GetProperty("status").GetString();
                console.WriteLine(decided.TryGetProperty("published", out var published) && published.ValueKind == JsonValueKind.Object
                    ? $"Hold {hold}: {status}; list {published.GetProperty("list").GetString()} {published.GetProperty("outcome").GetString()} at version {published.GetProperty("version")}."
                    : $"Hold {hold}: {status}.");
            });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command Reviews(GlobalOptions global)
    {
        var command = new Command("reviews", "Items held for review because they touch a protected host.");
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var items = await GetAsync(service, "api/v1/admin/reviews", "Listing items held for review", cancellationToken);
            output.Result(items, console =>
            {
                var table = new Table().AddColumn("submission").AddColumn("item").AddColumn("hotline").AddColumn("expression").AddColumn("scope").AddColumn("lists");
                foreach (var item in items.GetProperty("items").EnumerateArray())
                {
                    table.AddRow(
                        Markup.Escape(Text(item, "submissionId")),
                        Text(item, "index"),
                        Markup.Escape(Text(item, "hotline")),
                        Markup.Escape(Text(item, "expression")),
                        Markup.Escape(Text(item, "scope")),
                        Markup.Escape(string.Join(", ", item.GetProperty("lists").EnumerateArray().Select(l => l.GetString()))));
                }

                console.Write(table);
            });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command Review(GlobalOptions global)
    {
        var command = new Command("review", "Approve or reject one item held for review.");
        command.Subcommands.Add(ReviewDecision(global, "approve", "Approve a held item: it becomes pending for its lists."));
        command.Subcommands.Add(ReviewDecision(global, "reject", "Reject a held item: it stays in the journal as rejected-by-review."));
        return command;
    }

    private static Command ReviewDecision(GlobalOptions global, string verb, string description)
    {
        var submission = new Argument<string>("submission") { Description = "The submission id, as `blocklist admin reviews` lists it." };
        var index = new Argument<int>("item") { Description = "The item's index in the submission." };
        var reason = ReasonOption();
        var command = new Command(verb, description) { submission, index, reason };
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var id = parse.GetValue(submission)!;
            var item = parse.GetValue(index);
            var path = string.Create(CultureInfo.InvariantCulture, $"api/v1/admin/reviews/{Uri.EscapeDataString(id)}/items/{item}/{verb}");
            var decided = await PostAsync(service, path, Body(parse.GetValue(reason)), $"Deciding ({verb}) item {item} of {id}", cancellationToken);
            output.Result(decided, console => console.WriteLine($"Item {item} of {id}: {Text(decided, "result")}."));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command Publish(GlobalOptions global)
    {
        var reason = ReasonOption();
        var command = new Command("publish", "Run one publish cycle now (the timer does it every minute) and show what each list did.") { reason };
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var published = await PostAsync(service, "api/v1/admin/publish", Body(parse.GetValue(reason)), "Publishing", cancellationToken);
            output.Result(published, console =>
            {
                var table = new Table().AddColumn("list").AddColumn("outcome").AddColumn("version");
                foreach (var list in published.GetProperty("lists").EnumerateArray())
                {
                    table.AddRow(Markup.Escape(Text(list, "list")), Markup.Escape(Text(list, "outcome")), Text(list, "version"));
                }

                console.Write(table);
            });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Command Isps(GlobalOptions global)
    {
        var command = new Command("isps", "Every ISP key: last contact, and per list the version it reported and how far behind the current one it is.");
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var isps = await GetAsync(service, "api/v1/admin/isps", "Listing ISPs", cancellationToken);
            output.Result(isps, console =>
            {
                var table = new Table().AddColumn("key id").AddColumn("organisation").AddColumn("last contact").AddColumn("list").AddColumn("reported").AddColumn("current").AddColumn("lag");
                foreach (var isp in isps.GetProperty("isps").EnumerateArray())
                {
                    var revoked = isp.TryGetProperty("revoked", out var r) && r.ValueKind == JsonValueKind.True ? " (revoked)" : "";
                    var lists = isp.GetProperty("lists").EnumerateArray().ToList();
                    foreach (var (list, i) in lists.Select((l, i) => (l, i)).DefaultIfEmpty((default, 0)))
                    {
                        table.AddRow(
                            i == 0 ? Markup.Escape(Text(isp, "keyId") + revoked) : "",
                            i == 0 ? Markup.Escape(Text(isp, "organisation")) : "",
                            i == 0 ? Markup.Escape(Text(isp, "lastContact") is { Length: > 0 } t ? t : "never") : "",
                            list.ValueKind == JsonValueKind.Object ? Markup.Escape(Text(list, "list")) : "",
                            list.ValueKind == JsonValueKind.Object ? Text(list, "reportedVersion") : "",
                            list.ValueKind == JsonValueKind.Object ? Text(list, "currentVersion") : "",
                            list.ValueKind == JsonValueKind.Object ? Text(list, "lag") : "");
                    }
                }

                console.Write(table);
            });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    private static Table HoldTable(IEnumerable<JsonElement> holds)
    {
        var table = new Table().AddColumn("hold").AddColumn("list").AddColumn("version").AddColumn("adds").AddColumn("removes").AddColumn("entries before").AddColumn("held").AddColumn("status");
        foreach (var hold in holds)
        {
            table.AddRow(
                Markup.Escape(Text(hold, "id")), Markup.Escape(Text(hold, "list")), Text(hold, "version"), Text(hold, "listed"), Text(hold, "unlisted"),
                Text(hold, "countBefore"), Markup.Escape(Text(hold, "held")), Markup.Escape(Text(hold, "status")));
        }

        return table;
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
            Then watch `blocklist admin isps` until every ISP reports the new version (docs/operations.md, over-block runbook).
            """);
        revert.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var name = parse.GetValue(list)!;
            var result = await PostAsync(service, $"api/v1/admin/lists/{Uri.EscapeDataString(name)}/revert",
                new { toVersion = parse.GetValue(toVersion), reason = parse.GetValue(reason) }, $"Reverting {name}", cancellationToken);
            output.Result(result, console => console.MarkupLineInterpolated(
                $"Published {name} version [bold]{result.GetProperty("version").GetInt64()}[/] with the state of version {result.GetProperty("toVersion").GetInt64()} (state hash {result.GetProperty("stateHash").GetString()}): +{result.GetProperty("listed").GetInt32()} -{result.GetProperty("unlisted").GetInt32()}; decision leaf {result.GetProperty("decisionIndex").GetInt64()}."));
            return ExitCodes.Ok;
        }, cancellationToken));
        return revert;
    }

    /// <summary>A decision's reason: recorded with it (and required by the service where its rules say so).</summary>
    private static Option<string?> ReasonOption() => new("--reason", "-r")
    {
        Description = "Why: recorded with the decision in the transparency log, for auditors.",
        HelpName = "text",
    };

    private static object? Body(string? reason) => reason is null ? null : new { reason };

    private static async Task<ServiceClient> ServiceAsync(GlobalOptions global, ParseResult parse, CancellationToken cancellationToken) =>
        ServiceClient.FromSettings(await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken), requireKey: true, "admin");

    private static async Task<JsonElement> GetAsync(ServiceClient service, string path, string what, CancellationToken cancellationToken)
    {
        using var response = await service.SendJsonAsync(HttpMethod.Get, path, null, cancellationToken);
        return response.IsSuccessStatusCode
            ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)
            : throw await ServiceClient.FailureAsync(response, what, cancellationToken);
    }

    private static async Task<JsonElement> PostAsync(ServiceClient service, string path, object? body, string what, CancellationToken cancellationToken)
    {
        using var response = await service.SendJsonAsync(HttpMethod.Post, path, body, cancellationToken);
        return response.IsSuccessStatusCode
            ? await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)
            : throw await ServiceClient.FailureAsync(response, what, cancellationToken);
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined ? value.ToString() : "";
}
