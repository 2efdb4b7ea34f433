namespace BlocklistService.Cli;

/// <summary>
/// The process exit codes of <c>blocklist</c>. Scripts rely on them, so they never change meaning.
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked (for <c>check</c>: the URL is not blocked).</summary>
    public const int Ok = 0;

    /// <summary>The command could not do its work: missing or invalid local state, I/O error, server error.</summary>
    public const int Failure = 1;

    /// <summary>The command line or the configuration is wrong: unknown verb or option, bad value, unreadable config file.</summary>
    public const int Usage = 2;

    /// <summary><c>check</c> only: an entry in the local state blocks the URL.</summary>
    public const int Blocked = 3;
}
