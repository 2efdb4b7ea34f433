using System.CommandLine;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist state</c>: which lists this machine holds, at which version, with how many entries.</summary>
public static class StateCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("state", "Show the lists held locally: version, entry counts by scope, when applied.");
        global.AddHelp(command, """
            Notes:
              The layout is STATE_DIR/LIST/state.bin (the last good state), STATE_DIR/LIST/manifest.json(.sig)
              (the verified manifest it came from) and STATE_DIR/LIST/exports/ (default export files).

            Examples:
              blocklist state
              blocklist state --state-dir /var/lib/blocklist --json
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken);
            var store = new LocalStateStore(settings.StateDirectory.Value);
            var lists = new List<object>();
            var table = new Table().AddColumn("list").AddColumn(new TableColumn("version").RightAligned())
                .AddColumn(new TableColumn("entries").RightAligned()).AddColumn(new TableColumn("host").RightAligned())
                .AddColumn(new TableColumn("path").RightAligned()).AddColumn(new TableColumn("exact").RightAligned()).AddColumn("applied");
            foreach (var name in store.ListNames())
            {
                var state = await store.ReadAsync(name, cancellationToken);
                var scopes = new int[3];
                foreach (var entry in state.Entries)
                {
                    scopes[(int)entry.Scope]++;
                }

                var count = (EntryScope scope) => scopes[(int)scope];
                lists.Add(new
                {
                    list = name.Value,
                    version = state.Version,
                    feed = state.Feed.ToWireName(),
                    entries = state.Count,
                    host = count(EntryScope.Host),
                    path = count(EntryScope.Path),
                    exact = count(EntryScope.Exact),
                    appliedAt = state.AppliedAt,
                    stateFile = store.StatePath(name),
                });
                table.AddRow(name.Value, $"{state.Version}", $"{state.Count}", $"{count(EntryScope.Host)}", $"{count(EntryScope.Path)}", $"{count(EntryScope.Exact)}", state.AppliedAt.ToString("u"));
            }

            console.Result(
                new { stateDir = store.Root, lists },
                ansi =>
                {
                    ansi.MarkupLineInterpolated($"state directory: {store.Root}");
                    if (lists.Count == 0)
                    {
                        ansi.WriteLine("no lists yet: run `blocklist sync --list <name>` to fetch one.");
                    }
                    else
                    {
                        ansi.Write(table);
                    }
                });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
