using System.CommandLine;
using BlocklistService.Cli.Configuration;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist config</c>: shows the effective settings and where each came from (the API key masked).</summary>
public static class ConfigCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("config", "Show the effective configuration and where each value came from.");
        global.AddHelp(command, $$"""
            Each setting is taken from the first source that has it: command-line flag, then environment variable,
            then config file, then the default.

              setting            flag                   environment variable             config file key
              API URL            --api-url              {{CliSettingsLoader.ApiUrlVariable}}                apiUrl
              API key            (none: keeps it out of process lists)  {{CliSettingsLoader.ApiKeyVariable}}   apiKey
              state directory    --state-dir            {{CliSettingsLoader.StateDirectoryVariable}}              stateDir (relative to the file)
              list               --list                 {{CliSettingsLoader.ListVariable}}                   list
              stop-page host     --stop-page-host       {{CliSettingsLoader.StopPageHostVariable}}         stopPageHost
              stop-page address  --stop-page-address    {{CliSettingsLoader.StopPageAddressesVariable}}    stopPageAddresses (array)
              pinned keys        --trusted-key          {{CliSettingsLoader.TrustedKeysVariable}}           trustedKeys (array: PEM paths, relative to the file, or key ids)
              export group       --export-group         {{CliSettingsLoader.ExportGroupVariable}}           exportGroup (exports 0640 for this group; else 0600)
              config file        --config               {{CliSettingsLoader.ConfigVariable}}                 -

            Config file example (~/.config/blocklist/config.json):
              { "apiUrl": "https://blocklist.example.org", "apiKey": "isp_...", "stateDir": "/var/lib/blocklist",
                "list": "eu", "stopPageHost": "stop.example.net", "trustedKeys": ["22ad7cd0...6f237"], "exportGroup": "unbound" }

            Examples:
              blocklist config
              BLOCKLIST_STATE_DIR=/var/lib/blocklist blocklist config --json
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken);
            var rows = new (string Name, object? Value, SettingSource Source)[]
            {
                ("apiUrl", settings.ApiUrl.Value?.ToString(), settings.ApiUrl.Source),
                ("apiKey", settings.ApiKey.Value is null ? null : "(set, hidden)", settings.ApiKey.Source),
                ("stateDir", settings.StateDirectory.Value, settings.StateDirectory.Source),
                ("list", settings.List.Value, settings.List.Source),
                ("stopPageHost", settings.StopPageHost.Value, settings.StopPageHost.Source),
                ("stopPageAddresses", settings.StopPageAddresses.Value.Select(a => a.ToString()).ToArray(), settings.StopPageAddresses.Source),
                ("trustedKeys", settings.TrustedKeys.Value.ToArray(), settings.TrustedKeys.Source),
                ("exportGroup", settings.ExportGroup.Value, settings.ExportGroup.Source),
            };
            console.Result(
                new
                {
                    configFile = settings.ConfigPath,
                    configFileFound = settings.ConfigFileFound,
                    settings = rows.ToDictionary(r => r.Name, r => new { value = r.Value, source = r.Source }),
                },
                ansi =>
                {
                    ansi.MarkupLineInterpolated($"config file: {settings.ConfigPath} ({(settings.ConfigFileFound ? "found" : "not present")})");
                    var table = new Table().AddColumn("setting").AddColumn("value").AddColumn("from");
                    foreach (var (name, value, source) in rows)
                    {
                        var text = value switch
                        {
                            null => "-",
                            string[] list => list.Length == 0 ? "-" : string.Join(", ", list),
                            _ => value.ToString()!,
                        };
                        table.AddRow(name, Markup.Escape(text), source.ToString().ToLowerInvariant());
                    }

                    ansi.Write(table);
                });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
