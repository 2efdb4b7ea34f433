using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BlocklistService.Cli.Submit;

/// <summary>One input record: its line number in the file, the item to send (null when the line is unusable), and why not.</summary>
public sealed record SourceItem(long Line, string? Url, JsonObject? Item, string? Problem);

/// <summary>
/// Reads submission items from a CSV file (header row; columns action, url, scope, lists, category, reference,
/// verifiedAt, verifiedBy, reviewBy; several lists or analysts separated by <c>;</c>) or a JSON Lines file (one item
/// object a line), streaming: only the current record is in memory, whatever the file's size.
/// </summary>
public static class SubmissionSource
{
    public static readonly string[] CsvColumns = ["action", "url", "scope", "lists", "category", "reference", "verifiedAt", "verifiedBy", "reviewBy"];

    private static readonly HashSet<string> ListColumns = new(StringComparer.OrdinalIgnoreCase) { "lists", "verifiedBy" };

    public static bool IsJsonLines(string path, string? format) =>
        format is not null ? format == "jsonl" : Path.GetExtension(path).ToLowerInvariant() is ".jsonl" or ".ndjson" or ".json";

    public static IAsyncEnumerable<SourceItem> ReadAsync(TextReader reader, bool jsonLines, CancellationToken cancellationToken) =>
        jsonLines ? ReadJsonLinesAsync(reader, cancellationToken) : ReadCsvAsync(reader, cancellationToken);

    private static async IAsyncEnumerable<SourceItem> ReadJsonLinesAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        long line = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            JsonObject? item = null;
            string? problem = null;
            try
            {
                item = JsonNode.Parse(text) as JsonObject;
                problem = item is null ? "the line is not a JSON object" : null;
            }
            catch (JsonException e)
            {
                problem = "the line is not valid JSON: " + e.Message;
            }

            var url = item?["url"] is JsonValue value && value.TryGetValue<string>(out var u) ? u : null;
            yield return new SourceItem(line, url, problem is null ? item : null, problem);
        }
    }

    private static async IAsyncEnumerable<SourceItem> ReadCsvAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var records = new CsvReader(reader);
        var header = await records.ReadAsync(cancellationToken);
        if (header is null)
        {
            yield break;
        }

        var columns = header.Value.Fields.Select(f => f.Trim()).ToList();
        var unknown = columns.Where(c => !CsvColumns.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0 || !columns.Contains("url", StringComparer.OrdinalIgnoreCase))
        {
            throw CliException.Usage(
                "csv-header",
                unknown.Count > 0 ? $"The CSV header names unknown columns: {string.Join(", ", unknown)}." : "The CSV header has no url column.",
                $"The first line names the columns, from: {string.Join(", ", CsvColumns)}.");
        }

        while (await records.ReadAsync(cancellationToken) is { } record)
        {
            if (record.Fields.Count == 1 && record.Fields[0].Length == 0)
            {
                continue;
            }

            if (record.Fields.Count != columns.Count)
            {
                yield return new SourceItem(record.Line, null, null, $"the row has {record.Fields.Count} fields, the header {columns.Count}");
                continue;
            }

            var item = new JsonObject();
            string? url = null;
            for (var i = 0; i < columns.Count; i++)
            {
                var name = CsvColumns.First(c => c.Equals(columns[i], StringComparison.OrdinalIgnoreCase));
                var value = record.Fields[i];
                if (name == "url")
                {
                    url = value;
                }

                if (value.Length == 0)
                {
                    continue;
                }

                item[name] = ListColumns.Contains(name)
                    ? new JsonArray(value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => (JsonNode)JsonValue.Create(v)!).ToArray())
                    : JsonValue.Create(value);
            }

            yield return new SourceItem(record.Line, url, item, null);
        }
    }

    /// <summary>An RFC 4180 reader: quoted fields (with <c>""</c> and line breaks inside), and the line each record starts on.</summary>
    private sealed class CsvReader(TextReader reader)
    {
        private long _line = 1;

        public async Task<(long Line, List<string> Fields)?> ReadAsync(CancellationToken cancellationToken)
        {
            var first = await reader.ReadLineAsync(cancellationToken);
            if (first is null)
            {
                return null;
            }

            var start = _line++;
            var fields = new List<string>();
            var field = new StringBuilder();
            var text = first;
            var quoted = false;
            var i = 0;
            while (true)
            {
                if (i >= text.Length)
                {
                    if (!quoted)
                    {
                        fields.Add(field.ToString());
                        return (start, fields);
                    }

                    var next = await reader.ReadLineAsync(cancellationToken);
                    if (next is null)
                    {
                        fields.Add(field.ToString());
                        return (start, fields);
                    }

                    _line++;
                    field.Append('\n');
                    text = next;
                    i = 0;
                    continue;
                }

                var c = text[i++];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i < text.Length && text[i] == '"')
                        {
                            field.Append('"');
                            i++;
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"' && field.Length == 0)
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }
        }
    }
}
