using System.CommandLine;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Output;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Commands;

/// <summary>
/// The options every verb accepts (<c>--json</c>, <c>--config</c>, <c>--state-dir</c>, <c>--api-url</c>) and what
/// the verbs share: resolving settings and the list to work on, and turning failures into exit codes.
/// </summary>
public sealed class GlobalOptions(CliEnvironment environment)
{
    public CliEnvironment Environment { get; } = environment;

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON document on standard output (errors too) instead of text.",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "Config file (JSON). Default: $BLOCKLIST_CONFIG, else ~/.config/blocklist/config.json.",
        HelpName = "file",
        Recursive = true,
    };

    public Option<string?> StateDirectory { get; } = new("--state-dir")
    {
        Description = "Directory of the local list states. Default: $BLOCKLIST_STATE_DIR, the config's stateDir, else ~/.local/state/blocklist.",
        HelpName = "dir",
        Recursive = true,
    };

    public Option<string?> ApiUrl { get; } = new("--api-url")
    {
        Description = "Base URL of the BlocklistService API. Default: $BLOCKLIST_API_URL, else the config's apiUrl.",
        HelpName = "url",
        Recursive = true,
    };

    private readonly Dictionary<Command, string> _notes = [];

    /// <summary>Adds notes and examples that <c>VERB --help</c> prints after the standard help.</summary>
    public void AddHelp(Command command, string notes) => _notes[command] = notes;

    public void AddTo(RootCommand root)
    {
        var help = root.Options.OfType<System.CommandLine.Help.HelpOption>().Single();
        help.Action = new ExtendedHelpAction((System.CommandLine.Help.HelpAction)help.Action!, _notes);
        root.Options.Add(Json);
        root.Options.Add(Config);
        root.Options.Add(StateDirectory);
        root.Options.Add(ApiUrl);
    }

    /// <summary>A <c>--list</c> option for verbs that work on one list.</summary>
    public static Option<string?> ListOption() => new("--list", "-l")
    {
        Description = "The list to use, e.g. eu. Default: $BLOCKLIST_LIST, the config's list, else the only list in the state directory.",
        HelpName = "name",
    };

    /// <summary>An <c>--export-group</c> option for verbs that write exports.</summary>
    public static Option<string?> ExportGroupOption() => new("--export-group")
    {
        Description = "Write exports 0640 for this group (the resolver's or proxy's, e.g. unbound) instead of 0600. Default: $BLOCKLIST_EXPORT_GROUP, the config's exportGroup.",
        HelpName = "group",
    };

    /// <summary>A repeatable <c>--stop-page-address</c> option for verbs that write RPZ.</summary>
    public static Option<string[]> StopPageAddressOption() => new("--stop-page-address")
    {
        Description = "rpz: answer with A/AAAA records of the stop page (repeat for several), for resolvers that cannot redirect by CNAME. Default: $BLOCKLIST_STOP_PAGE_ADDRESSES (comma-separated), the config's stopPageAddresses.",
        HelpName = "ip",
    };

    public Task<CliSettings> LoadSettingsAsync(ParseResult parse, SettingOverrides extra, CancellationToken cancellationToken) =>
        CliSettingsLoader.LoadAsync(
            extra with
            {
                ConfigPath = parse.GetValue(Config),
                StateDirectory = parse.GetValue(StateDirectory),
                ApiUrl = parse.GetValue(ApiUrl),
            },
            Environment,
            cancellationToken);

    /// <summary>The list a verb works on: the configured one, else the only one present locally.</summary>
    public static ListName ResolveList(CliSettings settings, LocalStateStore store)
    {
        if (settings.List.Value is { } configured)
        {
            return ListName.Parse(configured);
        }

        var present = store.ListNames();
        return present.Count switch
        {
            1 => present[0],
            0 => throw new CliException("state-missing", $"No list state found in {store.Root}.", "Run `blocklist sync --list <name>` first, or point --state-dir / BLOCKLIST_STATE_DIR at the directory sync writes to."),
            _ => throw CliException.Usage("list-required", $"{store.Root} holds several lists ({string.Join(", ", present)}).", "Name one with --list, BLOCKLIST_LIST or the config's \"list\"."),
        };
    }

    /// <summary>
    /// Runs a verb's body with the shared error handling: <see cref="CliException"/> prints its message and hint and
    /// exits with its code; I/O failures exit 1 with a hint; cancellation exits 130.
    /// </summary>
    public async Task<int> RunAsync(ParseResult parse, Func<CommandOutput, Task<int>> body, CancellationToken cancellationToken)
    {
        var output = new CommandOutput(Environment, parse.GetValue(Json));
        try
        {
            return await body(output);
        }
        catch (CliException e)
        {
            output.Error(e);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Error(new CliException("cancelled", "Cancelled.", "Run the command again; files being replaced were left as they were."));
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Error(new CliException("io", e.Message, "Check the path and its permissions, then run the command again."));
            return ExitCodes.Failure;
        }
    }
}
