using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Tests;

/// <summary>List states and temporary directories for tests.</summary>
internal static class TestStates
{
    public static readonly DateTimeOffset AppliedAt = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    public static ListEntry Host(string host, string category = "csam") => ListEntry.Create(host + "/", EntryScope.Host, category);

    public static ListEntry UnderPath(string expression, string category = "csam") => ListEntry.Create(expression, EntryScope.Path, category);

    public static ListEntry Exact(string expression, string category = "csam") => ListEntry.Create(expression, EntryScope.Exact, category);

    public static LocalListState ListAt(long version, params ListEntry[] entries) =>
        new(ListName.Parse("eu"), version, entries, AppliedAt);

    /// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
    public static TemporaryDirectory TempDirectory() => new();
}

internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "blocklist-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
