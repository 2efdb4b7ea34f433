using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Exports;

/// <summary>Writes every expression, one per line, sorted by ordinal; no header, nothing left out.</summary>
public sealed class PlainExporter : IMergeableExporter
{
    public ExportFormat Format => ExportFormat.Plain;

    public IReadOnlyList<ExportPart> Parts { get; } = [new("plain", "blocklist.txt")];

    public int HeaderLines => 0;

    public string? Footer => null;

    public string? Separator => null;

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

    public string Header(ListName list, long version, ExportSummary summary) => string.Empty;

    public string? KeyOf(ListEntry entry, out string? skipReason)
    {
        skipReason = null;
        return entry.Expression;
    }

    public string GroupText(ListEntry entry, string key) => key + "\n";

    public ReadOnlySpan<byte> LineKey(ReadOnlySpan<byte> line) => line;
}
