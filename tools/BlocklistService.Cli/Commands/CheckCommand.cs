using System.CommandLine;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Matching;
using BlocklistService.Domain.Urls;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist check</c>: which entries of the local state block a URL, and through which lookup expression.</summary>
public static class CheckCommand
{
    public static Command Create(GlobalOptions global)
    {
        var url = new Argument<string>("url") { Description = "The URL a user would request." };
        var list = GlobalOptions.ListOption();
        var command = new Command("check", "Show which entry of the local state, if any, blocks a URL, and why. Exit code 3 when blocked.") { url, list };
        global.AddHelp(command, """
            Notes:
              The URL is canonicalized as a browser request would be, then each of its Safe Browsing lookup expressions
              (host suffixes x path prefixes) is looked up in the list's local state, most specific first. Every listed
              expression found is shown with its entry. Exit code 0: not blocked; 3: blocked.

            Examples:
              blocklist check "http://www.evil.example/some/page.html" --list eu
              blocklist check "http://site.example/gallery/1.jpg" --json
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(List: parse.GetValue(list)), cancellationToken);
            var store = new LocalStateStore(settings.StateDirectory.Value);
            var listName = GlobalOptions.ResolveList(settings, store);
            var state = await store.ReadAsync(listName, cancellationToken);

            var parsed = CanonicalUrl.Parse(parse.GetValue(url));
            if (!parsed.TryGetValue(out var canonical))
            {
                throw CliException.Usage(parsed.Rejection!.Code, $"The URL cannot be canonicalized: {parsed.Rejection.Message}", "Give a full URL, e.g. http://host.example/path.");
            }

            List<ListEntry> matches;
            if (state.Feed == ListFeed.Hashed)
            {
                // No expressions are held: hash the URL's lookup expressions and look the ids up; a match is shown by
                // the expression of the URL checked that hashed to a listed id.
                var (_, ids) = StateIdSet.Load(store.StatePath(listName), listName, cancellationToken);
                var found = UrlMatcher.ForIdSet(ids).MatchAll(canonical).ToDictionary(m => m.Id!.Value, m => m.Expression!);
                matches = state.Entries.Where(e => found.ContainsKey(e.Id)).Select(e => e with { Expression = found[e.Id] }).ToList();
            }
            else
            {
                var byExpression = state.Entries.ToDictionary(e => e.Expression, StringComparer.Ordinal);
                matches = UrlMatcher.ForExpressions(byExpression.Keys).MatchAll(canonical)
                    .Select(m => byExpression[m.Expression!])
                    .ToList();
            }

            console.Result(
                new
                {
                    url = parse.GetValue(url),
                    canonicalUrl = canonical.Value,
                    list = state.List.Value,
                    version = state.Version,
                    feed = state.Feed.ToWireName(),
                    blocked = matches.Count > 0,
                    lookupExpressions = canonical.LookupExpressions(),
                    matches = matches.Select(e => new { id = e.Id.Hex, expression = e.Expression, scope = e.Scope.ToWireName(), category = e.Category }),
                },
                ansi =>
                {
                    ansi.MarkupLineInterpolated($"canonical URL: {canonical.Value}");
                    if (matches.Count == 0)
                    {
                        ansi.MarkupLineInterpolated($"not blocked by list {state.List} version {state.Version} ({canonical.LookupExpressions().Count} lookup expressions checked)");
                        return;
                    }

                    ansi.MarkupLineInterpolated($"BLOCKED by list {state.List} version {state.Version}:");
                    var table = new Table().AddColumn("expression").AddColumn("scope").AddColumn("category").AddColumn("entry id");
                    foreach (var entry in matches)
                    {
                        table.AddRow(Markup.Escape(entry.Expression), entry.Scope.ToWireName(), Markup.Escape(entry.Category), entry.Id.Hex);
                    }

                    ansi.Write(table);
                });
            return matches.Count > 0 ? ExitCodes.Blocked : ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
