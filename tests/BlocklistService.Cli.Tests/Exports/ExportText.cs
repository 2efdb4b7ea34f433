using BlocklistService.Cli.Exports;
using BlocklistService.Cli.State;

namespace BlocklistService.Cli.Tests.Exports;

internal static class ExportText
{
    /// <summary>Runs an exporter into strings, one per part.</summary>
    public static async Task<(string[] Parts, ExportSummary Summary)> WriteAsync(IListExporter exporter, LocalListState state)
    {
        var writers = exporter.Parts.Select(_ => new StringWriter { NewLine = "\n" }).ToArray();
        var summary = await exporter.WriteAsync(state, writers, CancellationToken.None);
        return (writers.Select(w => w.ToString()).ToArray(), summary);
    }

    /// <summary>The lines that are not comments or blank.</summary>
    public static string[] DataLines(string text, char comment) =>
        text.Split('\n').Where(line => line.Length > 0 && line[0] != comment).ToArray();
}
