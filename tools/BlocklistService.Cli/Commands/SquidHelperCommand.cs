using System.CommandLine;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Proxy;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Commands;

/// <summary>
/// <c>blocklist squid-helper</c>: Squid's external ACL helper over a list's local state (plain or hashed), reloading
/// it whenever sync commits a new version.
/// </summary>
public static class SquidHelperCommand
{
    public static Command Create(GlobalOptions global)
    {
        var list = GlobalOptions.ListOption();
        var interval = new Option<double>("--reload-check")
        {
            Description = "How often (seconds) to check whether sync committed a new state; a new one is loaded in the background and switched in at once.",
            DefaultValueFactory = _ => 1.0,
            HelpName = "seconds",
        };
        var command = new Command("squid-helper", "Answer Squid's external ACL lookups from a list's local state: OK when the URL is blocked, ERR when not.") { list, interval };
        global.AddHelp(command, """
            Notes:
              Reads one request per line on stdin, "[channel-ID ]URL" (Squid's %URI, with concurrency channels), and
              answers "[channel-ID ]OK" (blocked) or "[channel-ID ]ERR" (not blocked) on stdout. The URL's Safe Browsing
              lookup expressions are hashed and looked up among the state's entry ids, so a state synced with
              --feed hashed (no readable list on this machine) works as well as a plain one. When sync commits a new
              version, the helper loads it in the background and switches over without a pause; Squid is not restarted.
              Messages go to stderr (Squid's cache.log). See docs/hashed-feed.md for the squid.conf lines.

            squid.conf:
              external_acl_type blocklist ttl=60 negative_ttl=60 children-max=1 concurrency=100 %URI /usr/bin/blocklist squid-helper --list eu --state-dir /var/lib/blocklist
              acl blocked external blocklist
              deny_info 302:https://blocklist.example/stop?list=eu blocked
              http_access deny blocked
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(List: parse.GetValue(list)), cancellationToken);
            var store = new LocalStateStore(settings.StateDirectory.Value);
            var listName = GlobalOptions.ResolveList(settings, store);
            if (!store.Exists(listName))
            {
                throw LocalStateStore.Missing(listName, store.StatePath(listName));
            }

            var error = global.Environment.Error;
            void Log(string message)
            {
                lock (error)
                {
                    error.WriteLine($"blocklist squid-helper: {message}");
                    error.Flush();
                }
            }

            var check = TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(interval), 0.05, 3600));
            using var live = LiveIdSet.Open(store.StatePath(listName), listName, check, Log, cancellationToken);
            var loaded = live.Current.Header;
            Log($"list {listName} version {loaded.Version} loaded ({loaded.Count} entries, {loaded.Feed.ToWireName()} feed); answering");
            live.StartWatching();
            await using var stdin = Console.OpenStandardInput();
            await using var stdout = Console.OpenStandardOutput();
            try
            {
                var answered = await new SquidAclHelper(live).RunAsync(stdin, stdout, cancellationToken);
                Log($"input closed after {answered} requests; stopping");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Log("stopped");
            }

            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
