using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// The canonical JSON of every artifact: UTF-8, no whitespace, properties in the order the writer emits them,
/// integers in plain decimal, timestamps as <c>yyyy-MM-ddTHH:mm:ssZ</c> (UTC, whole seconds), and only the
/// characters JSON requires escaped (plus control characters). The same content always gives the same bytes.
/// </summary>
internal static class ArtifactJson
{
    /// <summary>The one timestamp form on the wire.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>Upper bound for a decompressed artifact, so a small gzip bomb cannot exhaust memory.</summary>
    public const long MaxDecompressedBytes = 1L << 30;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    private static readonly JsonDocumentOptions ReaderOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 16,
    };

    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            body(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Whole seconds, UTC: the only precision the formats carry.</summary>
    public static DateTimeOffset ToWireTime(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    public static string FormatTime(DateTimeOffset value) =>
        ToWireTime(value).ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static void WriteTime(this Utf8JsonWriter writer, string name, DateTimeOffset value) =>
        writer.WriteString(name, FormatTime(value));

    public static void WriteTimeOrNull(this Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            writer.WriteTime(name, time);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    public static void WriteStringOrNull(this Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    public static void WriteEntry(this Utf8JsonWriter writer, ListEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString("id", entry.Id.Hex);
        writer.WriteString("expression", entry.Expression);
        writer.WriteString("scope", entry.Scope.ToWireName());
        writer.WriteString("category", entry.Category);
        writer.WriteEndObject();
    }

    /// <summary>An entry of the hashed feed: <c>{"id","scope","category"}</c>, no expression.</summary>
    public static void WriteHashedEntry(this Utf8JsonWriter writer, HashedEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString("id", entry.Id.Hex);
        writer.WriteString("scope", entry.Scope.ToWireName());
        writer.WriteString("category", entry.Category);
        writer.WriteEndObject();
    }

    public static byte[] Gzip(byte[] json)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return output.ToArray();
    }

    /// <summary>Decompresses gzip bytes; a failure says why (not gzip, truncated, too large).</summary>
    public static Result<byte[]> Gunzip(ReadOnlySpan<byte> compressed)
    {
        if (compressed.Length < 18 || compressed[0] != 0x1f || compressed[1] != 0x8b)
        {
            return Result<byte[]>.Failure("not gzip data (missing the 1f 8b header)");
        }

        try
        {
            using var input = new MemoryStream(compressed.ToArray(), writable: false);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = gzip.Read(chunk)) > 0)
            {
                if (output.Length + read > MaxDecompressedBytes)
                {
                    return Result<byte[]>.Failure($"decompressed size exceeds {MaxDecompressedBytes} bytes");
                }

                output.Write(chunk, 0, read);
            }

            var data = output.ToArray();
            return GzipTrailer.Matches(compressed, data)
                ? Result<byte[]>.Success(data)
                : Result<byte[]>.Failure("corrupt gzip data: truncated, or the CRC-32/length trailer does not match");
        }
        catch (InvalidDataException e)
        {
            return Result<byte[]>.Failure("corrupt gzip data: " + e.Message);
        }
    }

    /// <summary>
    /// Parses a stored <c>.json.gz</c> artifact of <paramref name="format"/>: gunzips it (a failure names the format)
    /// and hands the JSON to <paramref name="fromJson"/>.
    /// </summary>
    public static Result<T> FromGzip<T>(ReadOnlySpan<byte> gzip, string format, JsonParser<T> fromJson)
    {
        var json = Gunzip(gzip);
        return json.IsSuccess ? fromJson(json.Value) : Result<T>.Failure($"{format}: {json.Error}");
    }

    /// <summary>
    /// Parses <paramref name="json"/> as one object of format <paramref name="format"/> and runs
    /// <paramref name="read"/> over it; any <see cref="ArtifactFormatException"/> or JSON syntax error becomes a failure.
    /// </summary>
    public static Result<T> Parse<T>(ReadOnlySpan<byte> json, string format, Func<JsonObjectReader, T> read) =>
        Parse(json, [format], (root, _) => read(root));

    /// <summary>
    /// As <see cref="Parse{T}(ReadOnlySpan{byte}, string, Func{JsonObjectReader, T})"/> for a document that may be any
    /// of <paramref name="formats"/>; <paramref name="read"/> is told which one it is.
    /// </summary>
    public static Result<T> Parse<T>(ReadOnlySpan<byte> json, string[] formats, Func<JsonObjectReader, string, T> read)
    {
        var format = formats[0];
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), ReaderOptions);
            var root = new JsonObjectReader(document.RootElement, string.Empty);
            var actual = root.String("format");
            if (!formats.Contains(actual))
            {
                return Result<T>.Failure($"format: expected {string.Join(" or ", formats.Select(f => $"\"{f}\""))}, found \"{actual}\"");
            }

            format = actual;
            var value = read(root, actual);
            root.EnsureNoOtherProperties();
            return Result<T>.Success(value);
        }
        catch (JsonException e)
        {
            return Result<T>.Failure($"{format}: not valid JSON: {e.Message}");
        }
        catch (ArtifactFormatException e)
        {
            return Result<T>.Failure(e.Message);
        }
    }
}

/// <summary>An artifact's parser from canonical JSON bytes (a span, so not a <see cref="Func{T, TResult}"/>).</summary>
internal delegate Result<T> JsonParser<T>(ReadOnlySpan<byte> json);

/// <summary>Raised inside a parser to abort it with a message naming the field; never escapes a public parse method.</summary>
internal sealed class ArtifactFormatException(string message) : Exception(message);

/// <summary>Reads one JSON object strictly: required fields, exact types, no duplicates, no unknown properties.</summary>
internal sealed class JsonObjectReader
{
    private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly string _path;

    public JsonObjectReader(JsonElement element, string path)
    {
        _path = path;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Fail(path.Length == 0 ? "document" : path, "must be a JSON object");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!_properties.TryAdd(property.Name, property.Value))
            {
                throw Fail(Name(property.Name), "appears twice");
            }
        }
    }

    public static ArtifactFormatException Fail(string field, string problem) => new($"{field}: {problem}");

    public string Name(string property) => _path.Length == 0 ? property : $"{_path}.{property}";

    public JsonElement Required(string property)
    {
        _read.Add(property);
        return _properties.TryGetValue(property, out var value) ? value : throw Fail(Name(property), "is missing");
    }

    public bool IsNull(string property) => Required(property).ValueKind == JsonValueKind.Null;

    public string String(string property)
    {
        var value = Required(property);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Fail(Name(property), "must be a string");
    }

    public string? StringOrNull(string property) => IsNull(property) ? null : String(property);

    public string NonEmptyString(string property)
    {
        var value = String(property);
        return value.Length > 0 ? value : throw Fail(Name(property), "must not be empty");
    }

    public long Integer(string property, long minimum)
    {
        var value = Required(property);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number) || value.GetRawText().Contains('.') || value.GetRawText().Contains('e') || value.GetRawText().Contains('E'))
        {
            throw Fail(Name(property), "must be an integer");
        }

        return number >= minimum ? number : throw Fail(Name(property), $"must be at least {minimum}");
    }

    public DateTimeOffset Time(string property)
    {
        var text = String(property);
        return DateTimeOffset.TryParseExact(text, ArtifactJson.TimestampFormat, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw Fail(Name(property), $"'{text}' is not a UTC timestamp of the form yyyy-MM-ddTHH:mm:ssZ");
    }

    public DateTimeOffset? TimeOrNull(string property) => IsNull(property) ? null : Time(property);

    /// <summary>64 lowercase hex characters (a SHA-256).</summary>
    public string Sha256Hex(string property)
    {
        var text = String(property);
        return IsSha256Hex(text) ? text : throw Fail(Name(property), "must be 64 lowercase hex characters");
    }

    public string? Sha256HexOrNull(string property) => IsNull(property) ? null : Sha256Hex(property);

    public EntryId Id(string property) => ParseId(String(property), Name(property));

    public ListName List(string property)
    {
        var text = String(property);
        return ListName.TryParse(text, out var name) ? name : throw Fail(Name(property), $"'{text}' is not a list name ([a-z0-9-]{{1,32}})");
    }

    public EntryScope Scope(string property)
    {
        var text = String(property);
        return EntryScopeNames.TryParse(text, out var scope) ? scope : throw Fail(Name(property), $"'{text}' is not one of exact, path, host");
    }

    public JsonObjectReader Object(string property) => new(Required(property), Name(property));

    public JsonObjectReader? ObjectOrNull(string property) => IsNull(property) ? null : Object(property);

    public IEnumerable<(JsonElement Element, string Path)> Array(string property)
    {
        var value = Required(property);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Fail(Name(property), "must be an array");
        }

        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            yield return (item, $"{Name(property)}[{index++}]");
        }
    }

    /// <summary>
    /// Reads the array <paramref name="property"/> item by item with <paramref name="read"/>; the items' ids must be
    /// unique and sorted ascending (ordinal on the hex), as every artifact writes them.
    /// </summary>
    public T[] SortedById<T>(string property, Func<JsonElement, string, T> read, Func<T, EntryId> idOf)
    {
        var items = new List<T>();
        foreach (var (element, path) in Array(property))
        {
            var item = read(element, path);
            if (items.Count > 0 && string.CompareOrdinal(idOf(items[^1]).Hex, idOf(item).Hex) >= 0)
            {
                throw Fail(path, "ids must be unique and sorted ascending");
            }

            items.Add(item);
        }

        return items.ToArray();
    }

    /// <summary>Reads a ListEntry object and checks its id is the SHA-256 of its expression.</summary>
    public static ListEntry ReadEntry(JsonElement element, string path)
    {
        var item = new JsonObjectReader(element, path);
        var id = item.Id("id");
        var expression = item.NonEmptyString("expression");
        var scope = item.Scope("scope");
        var category = item.NonEmptyString("category");
        item.EnsureNoOtherProperties();
        if (EntryId.ForExpression(expression) != id)
        {
            throw Fail(item.Name("id"), "is not the SHA-256 of the expression");
        }

        return new ListEntry(id, expression, scope, category);
    }

    public static HashedEntry ReadHashedEntry(JsonElement element, string path)
    {
        var item = new JsonObjectReader(element, path);
        var id = item.Id("id");
        var scope = item.Scope("scope");
        var category = item.NonEmptyString("category");
        item.EnsureNoOtherProperties();
        return new HashedEntry(id, scope, category);
    }

    public static EntryId ParseId(string? text, string path) =>
        text is not null && IsSha256Hex(text) && EntryId.TryParse(text, out var id)
            ? id
            : throw Fail(path, "must be an entry id (64 lowercase hex characters)");

    public static bool IsSha256Hex(string text)
    {
        if (text.Length != 64)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    public void EnsureNoOtherProperties()
    {
        foreach (var name in _properties.Keys)
        {
            if (!_read.Contains(name))
            {
                throw Fail(Name(name), "is not a known property of this format");
            }
        }
    }
}
