using System.CommandLine;
using System.Text.Json;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist keys create|list|revoke</c> (admin): API keys through <c>/api/v1/admin/keys</c>.</summary>
public static class KeysCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("keys", "Issue, list and revoke API keys (admin key required); pin the service's signing key (keys pin).");
        global.AddHelp(command, """
            Examples:
              blocklist keys create --role hotline --organisation hotline-nl --reason "onboarding, ticket 42"
              blocklist keys create --role isp --organisation isp-example --lists eu,uk --reason "contract 2026-17"
              blocklist keys create --role isp --organisation isp-filtering --lists eu --feed hashed --reason "contract 2026-18"
              blocklist keys list
              blocklist keys revoke KEY_ID --reason "key seen in a support ticket"
              blocklist keys pin            (ISP, auditor: no API key needed)
            """);

        var role = new Option<string>("--role") { Description = "admin, hotline, isp or auditor.", Required = true };
        role.AcceptOnlyFromAmong("admin", "hotline", "isp", "auditor");
        var organisation = new Option<string>("--organisation", "--org") { Description = "Who holds the key: [a-z0-9-]{1,64}.", Required = true };
        var lists = new Option<string?>("--lists") { Description = "ISP keys: the lists it may read, comma-separated, or * for every list." };
        var reason = new Option<string>("--reason") { Description = "Why (1 to 1,000 characters); recorded with your key id in the transparency log.", Required = true };
        var feed = new Option<string?>("--feed")
        {
            Description = "ISP keys: plain (default; the lists with their expressions) or hashed (only the hashed feed: ids, scopes and categories, no readable list).",
            HelpName = "plain|hashed",
        };
        feed.AcceptOnlyFromAmong("plain", "hashed");
        var create = new Command("create", "Issue a key; its secret is printed once and never again.") { role, organisation, lists, feed, reason };
        create.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var body = new
            {
                role = parse.GetValue(role),
                organisation = parse.GetValue(organisation),
                lists = parse.GetValue(lists)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                feed = parse.GetValue(feed),
                reason = parse.GetValue(reason),
            };
            var issued = await service.ExchangeJsonAsync(HttpMethod.Post, "api/v1/admin/keys", body, "Issuing a key", cancellationToken);
            output.Result(issued, console =>
            {
                var info = issued.GetProperty("info");
                var feedName = info.TryGetProperty("feed", out var f) && f.ValueKind == JsonValueKind.String ? $", {f.GetString()} feed" : string.Empty;
                console.MarkupLineInterpolated($"Issued key [bold]{info.GetProperty("keyId").GetString()}[/] ({parse.GetValue(role)}, {parse.GetValue(organisation)}{feedName}).");
                console.WriteLine($"Secret (shown only now; store it in a secret manager): {issued.GetProperty("key").GetString()}");
            });
            return ExitCodes.Ok;
        }, cancellationToken));

        var list = new Command("list", "Every key: id, role, organisation, lists, created, revoked (never secrets).");
        list.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var keys = await service.ExchangeJsonAsync(HttpMethod.Get, "api/v1/admin/keys", null, "Listing keys", cancellationToken);
            output.Result(keys, console =>
            {
                var table = new Table().AddColumn("key id").AddColumn("role").AddColumn("organisation").AddColumn("lists").AddColumn("feed").AddColumn("created").AddColumn("revoked");
                foreach (var key in keys.GetProperty("keys").EnumerateArray())
                {
                    table.AddRow(
                        Markup.Escape(key.GetProperty("keyId").GetString() ?? ""),
                        Markup.Escape(key.GetProperty("role").GetString() ?? ""),
                        Markup.Escape(key.GetProperty("organisation").GetString() ?? ""),
                        Markup.Escape(string.Join(",", key.GetProperty("lists").EnumerateArray().Select(l => l.GetString()))),
                        Markup.Escape(key.TryGetProperty("feed", out var kf) && kf.ValueKind == JsonValueKind.String ? kf.GetString()! : ""),
                        Markup.Escape(key.GetProperty("created").ToString()),
                        Markup.Escape(key.TryGetProperty("revoked", out var r) && r.ValueKind != JsonValueKind.Null ? r.ToString() : ""));
                }

                console.Write(table);
            });
            return ExitCodes.Ok;
        }, cancellationToken));

        var keyId = new Argument<string>("key-id") { Description = "The key's id (as `keys list` shows it)." };
        var revoke = new Command("revoke", "Revoke a key; it stops working from the next request.") { keyId, reason };
        revoke.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            using var service = await ServiceAsync(global, parse, cancellationToken);
            var id = parse.GetValue(keyId)!;
            using var response = await service.SendJsonAsync(HttpMethod.Delete, "api/v1/admin/keys/" + Uri.EscapeDataString(id), new { reason = parse.GetValue(reason) }, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ServiceClient.FailureAsync(response, $"Revoking key {id}", cancellationToken);
            }

            output.Result(new { revoked = id }, console => console.WriteLine($"Revoked key {id}."));
            return ExitCodes.Ok;
        }, cancellationToken));

        command.Subcommands.Add(create);
        command.Subcommands.Add(list);
        command.Subcommands.Add(revoke);
        command.Subcommands.Add(KeyPinCommand.Create(global));
        return command;
    }

    private static async Task<ServiceClient> ServiceAsync(GlobalOptions global, ParseResult parse, CancellationToken cancellationToken) =>
        ServiceClient.FromSettings(await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken), requireKey: true, "keys");
}
