using System.CommandLine;
using System.Text.RegularExpressions;
using BlocklistService.Cli.Commands;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Output;

namespace BlocklistService.Cli;

/// <summary>
/// The <c>blocklist</c> command tree and its entry point. <see cref="RunAsync"/> is what <c>Program</c> calls and what
/// tests call in-process with their own <see cref="CliEnvironment"/>.
/// </summary>
public static partial class BlocklistCli
{
    public const string ExitCodeHelp = """
        Exit codes: 0 ok (check: not blocked), 1 failure (missing or invalid state, I/O, server error),
        2 usage (bad command line or configuration), 3 check: the URL is blocked, 130 cancelled.
        """;

    public static RootCommand Build(CliEnvironment environment)
    {
        var global = new GlobalOptions(environment);
        var root = new RootCommand($"""
            blocklist: sync, export and check BlocklistService lists (ISP), submit URLs and follow them (hotline), manage API keys (admin),
            canonicalize URLs, create development keys.
            Settings come from flags, then environment variables (BLOCKLIST_API_URL, BLOCKLIST_API_KEY,
            BLOCKLIST_STATE_DIR, BLOCKLIST_LIST, ...), then the config file; see `blocklist config --help`.
            Every verb prints JSON with --json.
            """);
        global.AddTo(root);
        global.AddHelp(root, $"""
            {ExitCodeHelp}
            Examples:
              blocklist state
              blocklist export --format rpz --list eu --output /etc/unbound/blocklist.rpz
              blocklist export --help
            """);
        root.Subcommands.Add(SyncCommand.Create(global));
        root.Subcommands.Add(SubmitCommand.Create(global));
        root.Subcommands.Add(StatusCommand.Create(global));
        root.Subcommands.Add(KeysCommand.Create(global));
        root.Subcommands.Add(AdminCommand.Create(global));
        root.Subcommands.Add(ExportCommand.Create(global));
        root.Subcommands.Add(CheckCommand.Create(global));
        root.Subcommands.Add(SquidHelperCommand.Create(global));
        root.Subcommands.Add(CanonicalizeCommand.Create(global));
        root.Subcommands.Add(DevKeyCommand.Create(global));
        root.Subcommands.Add(StateCommand.Create(global));
        root.Subcommands.Add(ConfigCommand.Create(global));
        root.Subcommands.Add(AuditCommand.Create(global));
        return root;
    }

    /// <summary>
    /// Replaces the secret of anything shaped like an API key (<c>bls_{id}_{secret}</c>) with <c>…</c>: a key typed on
    /// the command line by mistake must not reach the error output, and from there cron mail or logs.
    /// </summary>
    public static string RedactApiKeys(string text) => ApiKeyShape().Replace(text, "$1…");

    [GeneratedRegex(@"(bls_[0-9A-Za-z]+_)[0-9A-Za-z_\-]+")]
    private static partial Regex ApiKeyShape();

    /// <summary>Parses and runs one command line; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var root = Build(environment);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is not ExtendedHelpAction)
        {
            var json = args.Contains("--json");
            var verb = parse.CommandResult.Command is RootCommand ? "blocklist" : $"blocklist {parse.CommandResult.Command.Name}";
            var error = CliException.Usage(
                "usage",
                RedactApiKeys(string.Join(" ", parse.Errors.Select(e => e.Message))),
                args.Any(a => a.StartsWith("--api-key", StringComparison.Ordinal))
                    ? $"API keys are read from {CliSettingsLoader.ApiKeyVariable} or the config file's \"apiKey\", never from the command line (where ps and shell history would show them); see `blocklist config --help`."
                    : $"Run `{verb} --help` for the options and examples.");
            new CommandOutput(environment, json).Error(error);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(
            new InvocationConfiguration { Output = environment.Output, Error = environment.Error },
            cancellationToken);
    }
}
