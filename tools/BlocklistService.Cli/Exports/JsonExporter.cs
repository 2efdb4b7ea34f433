using System.Text.Json;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;

namespace BlocklistService.Cli.Exports;

/// <summary>
/// Writes the list as one JSON object, one entry per line, sorted by expression:
/// <c>{"list":"eu","version":7,"count":2,"entries":[{"id":"…","expression":"…","scope":"host","category":"…"}, …]}</c>.
/// </summary>
public sealed class JsonExporter : IListExporter
{
    public ExportFormat Format => ExportFormat.Json;

    public IReadOnlyList<ExportPart> Parts { get; } = [new("json", "blocklist.json")];

    public async Task<ExportSummary> WriteAsync(LocalListState state, IReadOnlyList<TextWriter> writers, CancellationToken cancellationToken)
    {
        var entries = state.Entries.OrderBy(e => e.Expression, StringComparer.Ordinal).ToList();
        var w = writers[0];
        await w.WriteLineAsync($"{{\"list\":{Quote(state.List.Value)},\"version\":{state.Version},\"count\":{entries.Count},\"entries\":[");
        for (var i = 0; i < entries.Count; i++)
        {
            if ((i & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var e = entries[i];
            w.Write("{\"id\":\"");
            w.Write(e.Id.Hex);
            w.Write("\",\"expression\":");
            w.Write(Quote(e.Expression));
            w.Write(",\"scope\":\"");
            w.Write(e.Scope.ToWireName());
            w.Write("\",\"category\":");
            w.Write(Quote(e.Category));
            w.WriteLine(i + 1 < entries.Count ? "}," : "}");
        }

        await w.WriteLineAsync("]}");
        return new ExportSummary(entries.Count, new Dictionary<string, int>());
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
