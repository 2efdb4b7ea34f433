using System.Text;
using System.Text.Json;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Exports;

/// <summary>
/// Writes the list as one JSON object, one entry per line, sorted by expression:
/// <c>{"list":"eu","version":7,"count":2,"entries":[{"id":"…","expression":"…","scope":"host","category":"…"}, …]}</c>.
/// </summary>
public sealed class JsonExporter : IMergeableExporter
{
    /// <summary>Where the quoted expression starts in an entry line: after <c>{"id":"</c>, 64 hex digits and <c>","expression":</c>.</summary>
    private const int ExpressionOffset = 7 + 64 + 15;

    private byte[] _scratch = new byte[256];

    public ExportFormat Format => ExportFormat.Json;

    public IReadOnlyList<ExportPart> Parts { get; } = [new("json", "blocklist.json")];

    public int HeaderLines => 1;

    public string? Footer => "]}";

    public string? Separator => ",";

    public async Task<ExportSummary> WriteAsync(LocalListState state, IReadOnlyList<TextWriter> writers, CancellationToken cancellationToken)
    {
        var entries = state.Entries.OrderBy(e => e.Expression, StringComparer.Ordinal).ToList();
        var w = writers[0];
        var summary = new ExportSummary(entries.Count, new Dictionary<string, int>());
        await w.WriteAsync(Header(state.List, state.Version, summary));
        for (var i = 0; i < entries.Count; i++)
        {
            if ((i & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var e = entries[i];
            w.Write(Line(e));
            w.Write(i + 1 < entries.Count ? ",\n" : "\n");
        }

        await w.WriteAsync(Footer + "\n");
        return summary;
    }

    public string Header(ListName list, long version, ExportSummary summary) =>
        $"{{\"list\":{Quote(list.Value)},\"version\":{version},\"count\":{summary.Written},\"entries\":[\n";

    public string? KeyOf(ListEntry entry, out string? skipReason)
    {
        skipReason = null;
        return entry.Expression;
    }

    public string GroupText(ListEntry entry, string key) => Line(entry) + "\n";

    /// <summary>The expression of an entry line, unescaped, as UTF-8.</summary>
    public ReadOnlySpan<byte> LineKey(ReadOnlySpan<byte> line)
    {
        if (line.Length <= ExpressionOffset || !line.StartsWith("{\"id\":\""u8) || line[ExpressionOffset] != (byte)'"')
        {
            return default;
        }

        var quoted = line[ExpressionOffset..];
        var end = 1;
        var escaped = false;
        for (; end < quoted.Length; end++)
        {
            if (quoted[end] == (byte)'\\')
            {
                escaped = true;
                end++;
            }
            else if (quoted[end] == (byte)'"')
            {
                break;
            }
        }

        if (end >= quoted.Length)
        {
            return default;
        }

        if (!escaped)
        {
            return quoted[1..end];
        }

        var reader = new Utf8JsonReader(quoted[..(end + 1)]);
        reader.Read();
        if (_scratch.Length < end)
        {
            _scratch = new byte[end * 2];
        }

        var length = reader.CopyString(_scratch);
        return _scratch.AsSpan(0, length);
    }

    private static string Line(ListEntry e) => new StringBuilder(128)
        .Append("{\"id\":\"").Append(e.Id.Hex)
        .Append("\",\"expression\":").Append(Quote(e.Expression))
        .Append(",\"scope\":\"").Append(e.Scope.ToWireName())
        .Append("\",\"category\":").Append(Quote(e.Category))
        .Append('}')
        .ToString();

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
