using System.CommandLine;
using BlocklistService.Domain.Entries;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist canonicalize</c>: shows exactly what a submission of a URL with a scope would list.</summary>
public static class CanonicalizeCommand
{
    public static Command Create(GlobalOptions global)
    {
        var url = new Argument<string>("url") { Description = "The URL as reported, e.g. \"http://Evil.Example/a/../b.html#x\"." };
        var scope = new Option<string>("--scope", "-s")
        {
            Description = "exact (that URL), path (everything under its directory) or host (the whole host; only for hosts dedicated to abuse).",
            DefaultValueFactory = _ => "exact",
        };
        scope.AcceptOnlyFromAmong("exact", "path", "host");
        var command = new Command("canonicalize", "Print the canonical URL, the expression and the entry id a URL and scope would be listed as.") { url, scope };
        global.AddHelp(command, """
            Notes:
              Canonicalization follows Safe Browsing's "URLs and Hashing" rules; the expression is what the list stores
              and the entry id is its SHA-256. A URL the service would refuse exits 2 with the reason.

            Examples:
              blocklist canonicalize "http://Evil.Example/a/../b.html?x=1#frag"
              blocklist canonicalize "https://www.example.org/gallery/" --scope path --json
              blocklist canonicalize "http://abuse-host.example/" --scope host
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, console =>
        {
            var result = EntryExpression.Create(parse.GetValue(url), parse.GetValue(scope));
            if (!result.TryGetValue(out var entry))
            {
                throw CliException.Usage(result.Rejection!.Code, $"The URL cannot be listed: {result.Rejection.Message}", "Check the URL (http or https, a real host) and the scope; see `blocklist canonicalize --help`.");
            }

            console.Result(
                new { canonicalUrl = entry.Url.Value, scope = entry.Scope.ToWireName(), expression = entry.Expression, id = entry.Id.Hex },
                ansi =>
                {
                    var grid = new Grid().AddColumn().AddColumn();
                    grid.AddRow("canonical URL", Markup.Escape(entry.Url.Value));
                    grid.AddRow("scope", entry.Scope.ToWireName());
                    grid.AddRow("expression", Markup.Escape(entry.Expression));
                    grid.AddRow("entry id", entry.Id.Hex);
                    ansi.Write(grid);
                });
            return Task.FromResult(ExitCodes.Ok);
        }, cancellationToken));
        return command;
    }
}
