namespace BlocklistService.Cli.Configuration;

/// <summary>
/// What the CLI takes from the process around it: standard output and error, environment variables, the home
/// directory and the clock. Tests run the CLI in-process with their own values; <see cref="FromProcess"/> is the real one.
/// </summary>
public sealed record CliEnvironment(
    TextWriter Output,
    TextWriter Error,
    Func<string, string?> GetVariable,
    string HomeDirectory,
    TimeProvider Time,
    bool IsInteractive)
{
    /// <summary>Standard input, for the few questions a verb asks on a terminal (e.g. <c>keys pin</c>).</summary>
    public TextReader Input { get; init; } = TextReader.Null;

    public static CliEnvironment FromProcess() => new(
        Console.Out,
        Console.Error,
        Environment.GetEnvironmentVariable,
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        TimeProvider.System,
        !Console.IsOutputRedirected)
    {
        Input = Console.In,
    };
}
