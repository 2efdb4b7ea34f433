using System.Globalization;
using BlocklistService.Cli.Configuration;

namespace BlocklistService.Cli.Output;

/// <summary>
/// The lines a long-running <c>sync</c> prints for people and log collectors. Each line starts with its time (RFC 3339,
/// UTC, to the second); under systemd (<c>JOURNAL_STREAM</c> set: standard output and error are the journal, which
/// stamps every line itself) it starts instead with the sd-daemon priority prefix, <c>&lt;6&gt;</c> for information and
/// <c>&lt;3&gt;</c> for errors, which journald turns into the entry's priority (<c>journalctl -p err</c>).
/// </summary>
public sealed class DaemonLog(CliEnvironment environment)
{
    private const int Information = 6;
    private const int ErrorPriority = 3;

    private readonly bool _journal = !string.IsNullOrEmpty(environment.GetVariable("JOURNAL_STREAM"));

    public void Info(string message) => Write(environment.Output, Information, message);

    /// <summary>An error and what to do about it, on one line (a log line is read alone).</summary>
    public void Error(CliException error) => Write(environment.Error, ErrorPriority, $"error: {error.Message} (what to do: {error.Hint})");

    private void Write(TextWriter writer, int priority, string message)
    {
        var prefix = _journal
            ? string.Create(CultureInfo.InvariantCulture, $"<{priority}>")
            : environment.Time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z' ", CultureInfo.InvariantCulture);
        foreach (var line in message.Split('\n'))
        {
            writer.WriteLine(prefix + line.TrimEnd('\r'));
        }

        writer.Flush();
    }
}
