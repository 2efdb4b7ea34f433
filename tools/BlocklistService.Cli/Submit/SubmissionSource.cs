using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BlocklistService.Cli.Submit;

/// <summary>
/// One input record: its line number in the file, the item to send (null when the line is unusable), and why not.
/// <see cref="Raw"/> is the record as it stood in the file (a CSV row's fields, or the JSON line), so a rejects file can
/// give it back for fixing and resending.
/// </summary>
public sealed record SourceItem(long Line, string? Url, JsonObject? Item, string? Problem)
{
    public IReadOnlyList<string> Raw { get; init; } = [];

    /// <summary>The reason code of an unusable record: <c>unreadable</c>, or <c>duplicate-in-file</c>.</summary>
    public string Code { get; init; } = "unreadable";
}

/// <summary>
/// Reads submission items from a CSV file (header row; columns action, url, scope, lists, category, reference,
/// verifiedAt, verifiedBy, reviewBy; several lists or analysts separated by <c>;</c>) or a JSON Lines file (one item
/// object a line), streaming: only the current record is in memory, whatever the file's size.
/// </summary>
public static class SubmissionSource
{
    public static readonly string[] CsvColumns = ["action", "url", "scope", "lists", "category", "reference", "verifiedAt", "verifiedBy", "reviewBy"];

    /// <summary>
    /// Columns a rejects file puts in front of the original ones; the reader skips them, so a fixed rejects file can be
    /// sent again as it is.
    /// </summary>
    public static readonly string[] RejectColumns = ["rejected_line", "rejected_code", "rejected_message"];

    private static readonly HashSet<string> ListColumns = new(StringComparer.OrdinalIgnoreCase) { "lists", "verifiedBy" };

    public static bool IsJsonLines(string path, string? format) =>
        format is not null ? format == "jsonl" : Path.GetExtension(path).ToLowerInvariant() is ".jsonl" or ".ndjson" or ".json";

    /// <param name="header">Gets the CSV header's columns as written in the file (not called for JSON Lines).</param>
    public static IAsyncEnumerable<SourceItem> ReadAsync(TextReader reader, bool jsonLines, CancellationToken cancellationToken, Action<IReadOnlyList<string>>? header = null) =>
        jsonLines ? ReadJsonLinesAsync(reader, cancellationToken) : ReadCsvAsync(reader, header, cancellationToken);

    /// <summary>How many records the file holds (one streaming pass), for a progress bar that counts items.</summary>
    public static async Task<long> CountAsync(string path, bool jsonLines, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, new FileStreamOptions { Options = FileOptions.Asynchronous | FileOptions.SequentialScan, BufferSize = 1 << 16 });
        long count = 0;
        await foreach (var _ in ReadAsync(reader, jsonLines, cancellationToken))
        {
            count++;
        }

        return count;
    }

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
            yield return new SourceItem(line, url, problem is null ? item : null, problem) { Raw = [text] };
        }
    }

    private static async IAsyncEnumerable<SourceItem> ReadCsvAsync(TextReader reader, Action<IReadOnlyList<string>>? onHeader, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var records = new CsvReader(reader);
        var header = await records.ReadAsync(cancellationToken);
        if (header is null)
        {
            yield break;
        }

        var columns = header.Value.Fields.Select(f => f.Trim()).ToList();
        onHeader?.Invoke(columns);
        var unknown = columns.Where(c => !CsvColumns.Contains(c, StringComparer.OrdinalIgnoreCase) && !RejectColumns.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
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
                // The URL is still named when the row is long enough to hold it, so the rejects file says which report it was.
                var urlColumn = columns.FindIndex(c => c.Equals("url", StringComparison.OrdinalIgnoreCase));
                var shortUrl = urlColumn < record.Fields.Count ? record.Fields[urlColumn] : null;
                yield return new SourceItem(record.Line, shortUrl, null, $"the row has {record.Fields.Count} fields, the header {columns.Count}") { Raw = record.Fields };
                continue;
            }

            var item = new JsonObject();
            string? url = null;
            for (var i = 0; i < columns.Count; i++)
            {
                var name = CsvColumns.FirstOrDefault(c => c.Equals(columns[i], StringComparison.OrdinalIgnoreCase));
                if (name is null)
                {
                    continue; // a rejected_* column of a resent rejects file
                }

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

            yield return new SourceItem(record.Line, url, item, null) { Raw = record.Fields };
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
