using System.CommandLine;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Exports;
using BlocklistService.Cli.State;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist export</c>: writes a filter file (rpz, squid, hosts, plain, json) from a list's local state.</summary>
public static class ExportCommand
{
    public static Command Create(GlobalOptions global)
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = "rpz (DNS response policy zone), squid (dstdomain + url_regex ACL files), hosts, plain (one expression a line) or json.",
            Required = true,
        };
        format.AcceptOnlyFromAmong(ExportFormatNames.All);
        var list = GlobalOptions.ListOption();
        var output = new Option<string?>("--output", "-o")
        {
            Description = "File to write (squid: the domain file; the URL file goes beside it as NAME-urls.EXT), or an existing directory. Default: STATE_DIR/LIST/exports/.",
            HelpName = "path",
        };
        var stopPageHost = new Option<string?>("--stop-page-host")
        {
            Description = "rpz: answer with a CNAME to this stop-page host instead of NXDOMAIN. Default: $BLOCKLIST_STOP_PAGE_HOST, the config's stopPageHost.",
            HelpName = "host",
        };
        var stopPageAddress = GlobalOptions.StopPageAddressOption();
        var exportGroup = GlobalOptions.ExportGroupOption();
        var ttl = new Option<int>("--ttl")
        {
            Description = "rpz: TTL of the zone's records and of negative answers, in seconds.",
            DefaultValueFactory = _ => 300,
        };
        ttl.Validators.Add(result =>
        {
            if (result.GetValue(ttl) is < 0 or > 86400)
            {
                result.AddError("--ttl must be between 0 and 86400 seconds.");
            }
        });

        var command = new Command("export", "Write a filter file (rpz, squid, hosts, plain, json) from a list's local state.")
        {
            format, list, output, stopPageHost, stopPageAddress, ttl, exportGroup,
        };
        global.AddHelp(command, """
            Notes:
              The export is written from the list's local state (the last good, verified version) and replaces the
              previous file atomically, so a filter reloading at any moment never reads a partial file.
              rpz    DNS response policy zone (SOA serial = list version); host entries block the host and its subdomains;
                     URL-level entries and IP literals are left out and counted in the zone's header comment.
              squid  dstdomain file for host entries, url_regex file for exact/path entries; squid.conf lines in the header.
              hosts  0.0.0.0 lines for host entries.  plain  one expression a line.  json  the whole list.

            Examples:
              blocklist export --format rpz --list eu --output /etc/unbound/blocklist.rpz
              blocklist export --format rpz --stop-page-host stop.example.net -o /etc/bind/db.rpz
              blocklist export --format rpz --stop-page-address 192.0.2.10 --stop-page-address 2001:db8::10
              blocklist export --format squid -o /etc/squid/blocklist.txt   (also writes /etc/squid/blocklist-urls.txt)
              blocklist export --format json --json
            """);

        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var settings = await global.LoadSettingsAsync(
                parse,
                new SettingOverrides(List: parse.GetValue(list), StopPageHost: parse.GetValue(stopPageHost), StopPageAddresses: parse.GetValue(stopPageAddress), ExportGroup: parse.GetValue(exportGroup)),
                cancellationToken);
            ExportFormatNames.TryParse(parse.GetValue(format), out var exportFormat);
            var store = new LocalStateStore(settings.StateDirectory.Value);
            var listName = GlobalOptions.ResolveList(settings, store);
            var state = await store.ReadAsync(listName, cancellationToken);
            var paths = ExportRunner.ResolvePaths(exportFormat, parse.GetValue(output), store.ExportDirectory(listName));
            var rpz = new RpzOptions
            {
                StopPageHost = settings.StopPageHost.Value,
                StopPageAddresses = settings.StopPageAddresses.Value,
                TimeToLive = parse.GetValue(ttl),
            };

            var permissions = FilePermissions.ForExports(settings.ExportGroup.Value);
            var result = await ExportRunner.ExportAsync(state, exportFormat, rpz, paths, cancellationToken, permissions: permissions);
            console.Result(
                new
                {
                    format = result.Format.ToName(),
                    list = result.List,
                    version = result.Version,
                    entries = result.Entries,
                    written = result.Summary.Written,
                    skipped = result.Summary.Skipped,
                    files = result.Files,
                },
                ansi =>
                {
                    ansi.MarkupLineInterpolated($"Exported list [bold]{result.List}[/] version [bold]{result.Version}[/] as {result.Format.ToName()}: {result.Summary.Written} of {result.Entries} entries written.");
                    foreach (var (reason, count) in result.Summary.Skipped)
                    {
                        ansi.MarkupLineInterpolated($"  left out: {count} {reason}");
                    }

                    var table = new Table().AddColumn("part").AddColumn("file").AddColumn(new TableColumn("bytes").RightAligned());
                    foreach (var file in result.Files)
                    {
                        table.AddRow(Markup.Escape(file.Part), Markup.Escape(file.Path), file.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }

                    ansi.Write(table);
                });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
