using BlocklistService.Cli.State;

namespace BlocklistService.Cli.Exports;

/// <summary>Writes every expression, one per line, sorted by ordinal; no header, nothing left out.</summary>
public sealed class PlainExporter : IListExporter
{
    public ExportFormat Format => ExportFormat.Plain;

    public IReadOnlyList<ExportPart> Parts { get; } = [new("plain", "blocklist.txt")];

    public Task<ExportSummary> WriteAsync(LocalListState state, IReadOnlyList<TextWriter> writers, CancellationToken cancellationToken)
    {
        var expressions = state.Entries.Select(e => e.Expression).ToArray();
        Array.Sort(expressions, StringComparer.Ordinal);
        for (var i = 0; i < expressions.Length; i++)
        {
            if ((i & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            writers[0].WriteLine(expressions[i]);
        }

        return Task.FromResult(new ExportSummary(expressions.Length, new Dictionary<string, int>()));
    }
}
