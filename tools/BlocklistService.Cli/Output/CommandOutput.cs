using System.Text.Json;
using System.Text.Json.Serialization;
using BlocklistService.Cli.Configuration;
using Spectre.Console;

namespace BlocklistService.Cli.Output;

/// <summary>
/// Where a verb's result goes: with <c>--json</c>, one JSON document on standard output (errors too, as
/// <c>{"error":{"code","message","hint"}}</c>, with the exit code telling failure); otherwise text and tables for people
/// on standard output and errors on standard error.
/// </summary>
public sealed class CommandOutput
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private readonly CliEnvironment _environment;

    public CommandOutput(CliEnvironment environment, bool json)
    {
        _environment = environment;
        IsJson = json;
        Console = CreateConsole(environment.Output, environment.IsInteractive);
    }

    public bool IsJson { get; }

    /// <summary>The human output (tables, status); not used with <c>--json</c>.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Prints a result: <paramref name="json"/> as JSON, or <paramref name="human"/> for people.</summary>
    public void Result(object json, Action<IAnsiConsole> human)
    {
        if (IsJson)
        {
            _environment.Output.WriteLine(JsonSerializer.Serialize(json, Json));
        }
        else
        {
            human(Console);
        }
    }

    public void Error(CliException error)
    {
        if (IsJson)
        {
            _environment.Output.WriteLine(JsonSerializer.Serialize(new { error = new { code = error.Code, message = error.Message, hint = error.Hint, exitCode = error.ExitCode } }, Json));
        }
        else
        {
            _environment.Error.WriteLine($"error: {error.Message}");
            _environment.Error.WriteLine($"  what to do: {error.Hint}");
        }
    }

    private static IAnsiConsole CreateConsole(TextWriter writer, bool interactive)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!interactive)
        {
            console.Profile.Width = 160;
        }

        return console;
    }
}
