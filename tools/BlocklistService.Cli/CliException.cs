namespace BlocklistService.Cli;

/// <summary>
/// A failure the user can act on: a stable machine-readable <see cref="Code"/>, a message saying what went wrong,
/// a hint saying what to do, and the exit code to leave with.
/// </summary>
public sealed class CliException(string code, string message, string hint, int exitCode = ExitCodes.Failure)
    : Exception(message)
{
    /// <summary>A short kebab-case identifier, e.g. <c>state-missing</c>, for <c>--json</c> consumers.</summary>
    public string Code { get; } = code;

    /// <summary>What the user can do about it.</summary>
    public string Hint { get; } = hint;

    public int ExitCode { get; } = exitCode;

    /// <summary>A usage error (exit code 2): the command line or the configuration needs fixing.</summary>
    public static CliException Usage(string code, string message, string hint) => new(code, message, hint, ExitCodes.Usage);
}
