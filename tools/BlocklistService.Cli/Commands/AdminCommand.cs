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
        SetCall(command, global,
            _ => new AdminCall(HttpMethod.Get, "api/v1/admin/holds", null, "Listing held versions"),
            (_, holds, console) => console.Write(HoldTable(holds.GetProperty("holds").EnumerateArray())));
        return command;
    }

    private static Command Hold(GlobalOptions global)
    {
        var command = new Command("hold", "Show, approve or reject one held version.");
        var showId = new Argument<string>("hold-id") { Description = "The hold's id, as `blocklist admin holds` lists it." };
        var offset = new Option<int>("--offset") { Description = "First change of the page to show (0-based).", DefaultValueFactory = _ => 0 };
        var limit = new Option<int>("--limit") { Description = "Changes per page (1 to 1000).", DefaultValueFactory = _ => 50 };
        var all = new Option<bool>("--all") { Description = "Every change of the set, page after page, instead of one page." };
        var show = new Command("show", "One held version's exact change set: counts by scope, category and hotline, whole-host blocks, entries on protected hosts, and its changes a page at a time, with the digest a decision names.")
        {
            showId, offset, limit, all,
        };
        show.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var id = parse.GetValue(showId)!;
            var (first, size) = (parse.GetValue(offset), parse.GetValue(limit));
            if (first < 0 || size is < 1 or > 1000)
            {
                throw new CliException("invalid-arguments", "--offset must be 0 or more and --limit from 1 to 1000.", "Run `blocklist admin hold show --help`.");
            }

            var path = $"api/v1/admin/holds/{Uri.EscapeDataString(id)}";
            var (detail, digest) = await GetHoldAsync(service, $"{path}?offset={first}&limit={size}", id, cancellationToken);
            var changes = detail.GetProperty("changes").EnumerateArray().ToList();
            var next = detail.GetProperty("nextOffset");
            while (parse.GetValue(all) && next.ValueKind == JsonValueKind.Number)
            {
                var (page, pageDigest) = await GetHoldAsync(service, $"{path}?offset={next.GetInt32()}&limit=1000", id, cancellationToken);
                if (pageDigest != digest)
                {
                    throw new CliException("changed", $"Held version {id} changed while it was read (digest {digest} became {pageDigest}).", "Run the command again.");
                }

                changes.AddRange(page.GetProperty("changes").EnumerateArray());
                next = page.GetProperty("nextOffset");
            }

            var shown = JsonSerializer.SerializeToElement(new
            {
                hold = detail.GetProperty("hold"),
                digest,
                counts = detail.GetProperty("counts"),
                hostScope = detail.GetProperty("hostScope"),
                protectedHosts = detail.GetProperty("protectedHosts"),
                offset = first,
                changes,
                nextOffset = next.ValueKind == JsonValueKind.Number ? next.GetInt32() : (int?)null,
            });
            output.Result(shown, console => WriteHold(console, detail, digest, first, changes, next));
            return ExitCodes.Ok;
        }, cancellationToken));
        command.Subcommands.Add(show);
        command.Subcommands.Add(HoldDecision(global, "approve", "Approve a held version: it is published as planned."));
        command.Subcommands.Add(HoldDecision(global, "reject", "Reject a held version: its items stay pending (the default) or, with --items reject, are rejected."));
        return command;
    }

    private static Command HoldDecision(GlobalOptions global, string verb, string description)
    {
        var id = new Argument<string>("hold-id") { Description = "The hold's id, as `blocklist admin holds` lists it." };
        var reason = ReasonOption();
        var items = new Option<string?>("--items") { Description = "reject only: keep-pending (the default: the next cycle plans them again) or reject (drop them; their status says rejected-by-hold)." };
        items.AcceptOnlyFromAmong("keep-pending", "reject");
        var command = new Command(verb, description) { id, reason };
        if (verb == "reject")
        {
            command.Options.Add(items);
        }

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
            var decided = await service.ExchangeJsonAsync(HttpMethod.Post, $"api/v1/admin/holds/{Uri.EscapeDataString(hold)}/{verb}",
                parse.GetValue(items) is { } disposition ? new { reason = parse.GetValue(reason), items = disposition } : Body(parse.GetValue(reason)),
                $"Deciding ({verb}) held version {hold}", cancellationToken,
                request => request.Headers.TryAddWithoutValidation("If-Match", digest ?? "\"\""));
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
        SetCall(command, global, _ => new AdminCall(HttpMethod.Get, "api/v1/admin/reviews", null, "Listing items held for review"), (_, items, console) =>
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
        SetCall(command, global,
            parse =>
            {
                var (id, item) = (parse.GetValue(submission)!, parse.GetValue(index));
                var path = string.Create(CultureInfo.InvariantCulture, $"api/v1/admin/reviews/{Uri.EscapeDataString(id)}/items/{item}/{verb}");
                return new AdminCall(HttpMethod.Post, path, Body(parse.GetValue(reason)), $"Deciding ({verb}) item {item} of {id}");
            },
            (parse, decided, console) => console.WriteLine($"Item {parse.GetValue(index)} of {parse.GetValue(submission)}: {Text(decided, "result")}."));
        return command;
    }

    private static Command Publish(GlobalOptions global)
    {
        var reason = ReasonOption();
        var command = new Command("publish", "Run one publish cycle now (the timer does it every minute) and show what each list did.") { reason };
        SetCall(command, global, parse => new AdminCall(HttpMethod.Post, "api/v1/admin/publish", Body(parse.GetValue(reason)), "Publishing"), (_, published, console) =>
        {
            var table = new Table().AddColumn("list").AddColumn("outcome").AddColumn("version");
            foreach (var list in published.GetProperty("lists").EnumerateArray())
            {
                table.AddRow(Markup.Escape(Text(list, "list")), Markup.Escape(Text(list, "outcome")), Text(list, "version"));
            }

            console.Write(table);
        });
        return command;
    }

    private static Command Isps(GlobalOptions global)
    {
        var command = new Command("isps", "Every ISP key: last contact, and per list the version it reported and how far behind the current one it is.");
        SetCall(command, global, _ => new AdminCall(HttpMethod.Get, "api/v1/admin/isps", null, "Listing ISPs"), (_, isps, console) =>
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
        return command;
    }

    /// <summary>A hold's detail (<c>GET /api/v1/admin/holds/{id}</c>) and its digest (the ETag, unquoted).</summary>
    private static async Task<(JsonElement Detail, string Digest)> GetHoldAsync(ServiceClient service, string path, string id, CancellationToken cancellationToken)
    {
        using var response = await service.SendJsonAsync(HttpMethod.Get, path, null, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceClient.FailureAsync(response, $"Reading held version {id}", cancellationToken);
        }

        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken), response.Headers.ETag?.Tag.Trim('"') ?? "");
    }

    private static void WriteHold(IAnsiConsole console, JsonElement detail, string digest, int offset, IReadOnlyList<JsonElement> changes, JsonElement next)
    {
        var hold = detail.GetProperty("hold");
        var counts = detail.GetProperty("counts");
        console.Write(HoldTable([hold]));
        console.WriteLine("submissions: " + string.Join(", ", hold.GetProperty("submissions").EnumerateArray().Select(s => s.GetString())));
        console.WriteLine($"digest: {digest} (a decision names it: If-Match)");
        console.WriteLine($"changes: {Text(counts, "changes")} ({Text(counts, "listed")} listed, {Text(counts, "unlisted")} delisted)");
        var tallies = new Table().AddColumn("by").AddColumn("value").AddColumn("changes");
        foreach (var (by, name) in new[] { ("scope", "byScope"), ("category", "byCategory"), ("hotline", "byHotline") })
        {
            foreach (var tally in counts.GetProperty(name).EnumerateObject())
            {
                tallies.AddRow(by, Markup.Escape(tally.Name), tally.Value.ToString());
            }
        }

        console.Write(tallies);
        var hostScope = detail.GetProperty("hostScope").EnumerateArray().ToList();
        var protectedHosts = detail.GetProperty("protectedHosts").EnumerateArray().ToList();
        console.WriteLine($"whole-host blocks: {hostScope.Count}");
        if (hostScope.Count > 0)
        {
            console.Write(ChangeTable(hostScope));
        }

        console.WriteLine($"entries on protected hosts: {protectedHosts.Count}");
        if (protectedHosts.Count > 0)
        {
            console.Write(ChangeTable(protectedHosts));
        }

        console.WriteLine(changes.Count == 0 ? "changes: none on this page" : $"changes {offset + 1}-{offset + changes.Count} of {Text(counts, "changes")}:");
        if (changes.Count > 0)
        {
            console.Write(ChangeTable(changes));
        }

        if (next.ValueKind == JsonValueKind.Number)
        {
            console.WriteLine($"more: --offset {next.GetInt32()} (or --all)");
        }
    }

    private static Table ChangeTable(IEnumerable<JsonElement> changes)
    {
        var table = new Table().AddColumn("change").AddColumn("expression").AddColumn("scope").AddColumn("category").AddColumn("hotline").AddColumn("reference").AddColumn("protected");
        foreach (var change in changes)
        {
            table.AddRow(Markup.Escape(Text(change, "kind")), Markup.Escape(Text(change, "expression")), Markup.Escape(Text(change, "scope")),
                Markup.Escape(Text(change, "category")), Markup.Escape(Text(change, "hotline")), Markup.Escape(Text(change, "reference")),
                change.TryGetProperty("protectedHost", out var p) && p.ValueKind == JsonValueKind.True ? "yes" : "");
        }

        return table;
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
        SetCall(revert, global,
            parse => new AdminCall(HttpMethod.Post, $"api/v1/admin/lists/{Uri.EscapeDataString(parse.GetValue(list)!)}/revert",
                new { toVersion = parse.GetValue(toVersion), reason = parse.GetValue(reason) }, $"Reverting {parse.GetValue(list)}"),
            (parse, result, console) => console.MarkupLineInterpolated(
                $"Published {parse.GetValue(list)} version [bold]{result.GetProperty("version").GetInt64()}[/] with the state of version {result.GetProperty("toVersion").GetInt64()} (state hash {result.GetProperty("stateHash").GetString()}): +{result.GetProperty("listed").GetInt32()} -{result.GetProperty("unlisted").GetInt32()}; decision leaf {result.GetProperty("decisionIndex").GetInt64()}."));
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

    /// <summary>One call to the service: method, path, JSON body (null for none) and what it does, for a failure's message.</summary>
    private sealed record AdminCall(HttpMethod Method, string Path, object? Body, string What);

    /// <summary>
    /// The action of a verb that is one call with the admin key: the answer is printed as it came with --json, and by
    /// <paramref name="print"/> for a person.
    /// </summary>
    private static void SetCall(Command command, GlobalOptions global, Func<ParseResult, AdminCall> call, Action<ParseResult, JsonElement, IAnsiConsole> print) =>
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var (method, path, body, what) = call(parse);
            var answer = await service.ExchangeJsonAsync(method, path, body, what, cancellationToken);
            output.Result(answer, console => print(parse, answer, console));
            return ExitCodes.Ok;
        }, cancellationToken));

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined ? value.ToString() : "";
}
