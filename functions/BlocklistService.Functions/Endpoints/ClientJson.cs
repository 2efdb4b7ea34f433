using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>Why a client's JSON body was refused, naming the field (<c>items[3].url</c>, <c>role</c>, or <c>body</c>).</summary>
public sealed record ClientJsonError(string Field, string Message);

/// <summary>
/// The one policy for JSON that clients send: UTF-8 only, no comments or trailing commas, at most
/// <see cref="MaxDepth"/> levels, no property twice in one object (compared case-insensitively, because the serializer
/// binds names case-insensitively, so <c>role</c> and <c>Role</c> would otherwise be a last-one-wins ambiguity), and
/// no string that is not valid Unicode once unescaped (a lone UTF-16 surrogate such as <c>\ud800</c>). Every route that
/// reads a client body goes through <see cref="Check"/> (directly, or through <see cref="ReadAsync{T}"/>), so every
/// route refuses the same inputs with a 400 that names the offending field.
/// </summary>
public static class ClientJson
{
    /// <summary>Deepest nesting any client body needs (a submission is 4 levels deep).</summary>
    public const int MaxDepth = 16;

    /// <summary>Reader settings that agree with <see cref="Check"/>, for parsing a body that passed it.</summary>
    public static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = MaxDepth,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    /// <summary>Serializer settings for binding a checked body to a request record (web defaults, strict otherwise).</summary>
    public static readonly JsonSerializerOptions SerializerOptions = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the policy to serializer options (also the framework's own, for any body it binds).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.MaxDepth = MaxDepth;
        options.AllowTrailingCommas = false;
        options.ReadCommentHandling = JsonCommentHandling.Disallow;
        options.AllowDuplicateProperties = false;
        return options;
    }

    /// <summary>True for <c>application/json</c> with any parameters (e.g. <c>charset=utf-8</c>).</summary>
    public static bool IsJson(string? contentType) =>
        contentType is not null &&
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        string.Equals(media.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks a whole body against the policy; null when it may be parsed.</summary>
    public static ClientJsonError? Check(ReadOnlySpan<byte> body, int maxDepth = MaxDepth)
    {
        if (!Utf8.IsValid(body))
        {
            return new ClientJsonError("body", "not valid UTF-8");
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions
        {
            MaxDepth = maxDepth,
            AllowTrailingCommas = false,
            CommentHandling = JsonCommentHandling.Disallow,
        });
        var path = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Advance(path);
                        path.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var frame = path[^1];
                        if (!TryReadString(ref reader, out var name))
                        {
                            return new ClientJsonError(PathOf(path), "a property name is not valid Unicode (lone UTF-16 surrogate)");
                        }

                        frame.Name = name;
                        if (!frame.Names.Add(name))
                        {
                            return new ClientJsonError(PathOf(path), "appears more than once in the same object");
                        }

                        break;
                    case JsonTokenType.String:
                        Advance(path);
                        if (!TryReadString(ref reader, out _))
                        {
                            return new ClientJsonError(PathOf(path), "not valid Unicode (lone UTF-16 surrogate)");
                        }

                        break;
                    default:
                        Advance(path);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            return new ClientJsonError("body", $"not valid JSON: {Describe(e)}");
        }

        return null;
    }

    /// <summary>
    /// Reads a request body bounded to <paramref name="maxBytes"/>, checks it against the policy and binds it to
    /// <typeparamref name="T"/>: the value, or the problem to answer (413, 415, or 400 naming the field).
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpContext context, long maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (!IsJson(context.Request.ContentType))
        {
            return (null, Problems.Field(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
                "Content-Type", "must be application/json"));
        }

        var body = await ReadBoundedAsync(context, maxBytes, cancellationToken);
        if (body is null)
        {
            return (null, Problems.Field(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "Request body too large",
                "body", $"at most {maxBytes} bytes"));
        }

        if (Check(body.Value.Span) is { } error)
        {
            return (null, Malformed(error));
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body.Value.Span, SerializerOptions) is { } value
                ? (value, null)
                : (null, Malformed(new ClientJsonError("body", "must be a JSON object")));
        }
        catch (JsonException e)
        {
            return (null, Malformed(new ClientJsonError(FieldOf(e.Path), "missing, or of the wrong type")));
        }
    }

    /// <summary>The 400 answer for a body refused by the policy.</summary>
    public static ProblemHttpResult Malformed(ClientJsonError error) =>
        Problems.Field(StatusCodes.Status400BadRequest, "malformed-body", "Malformed request body", error.Field, error.Message);

    /// <summary>A serializer path (<c>$.lists[1]</c>) as a field name (<c>lists[1]</c>); the root is <c>body</c>.</summary>
    public static string FieldOf(string? jsonPath) =>
        jsonPath is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";

    /// <summary>The body, or null when it is longer than <paramref name="max"/> bytes (declared or actual).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(HttpContext context, long max, CancellationToken cancellationToken)
    {
        if (context.Request.ContentLength > max)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max + 1;
        }

        using var buffer = new MemoryStream(capacity: (int)Math.Min(context.Request.ContentLength ?? 64 * 1024, max));
        var chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static bool TryReadString(ref Utf8JsonReader reader, out string value)
    {
        try
        {
            // Unescaping is where "\ud800" fails; an unescaped value is valid UTF-8 already (checked above).
            value = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = string.Empty;
            return false;
        }
    }

    /// <summary>A value starts inside an array: it is the array's next element.</summary>
    private static void Advance(List<Frame> path)
    {
        if (path.Count > 0 && path[^1].IsArray)
        {
            path[^1].Index++;
        }
    }

    private static string PathOf(List<Frame> path)
    {
        if (path.Count == 0)
        {
            return "body";
        }

        var text = new System.Text.StringBuilder();
        foreach (var frame in path)
        {
            if (frame.IsArray)
            {
                if (frame.Index < 0)
                {
                    break;
                }

                text.Append('[').Append(frame.Index).Append(']');
            }
            else
            {
                if (frame.Name is null)
                {
                    break;
                }

                text.Append(text.Length == 0 ? string.Empty : ".").Append(frame.Name);
            }
        }

        return text.Length == 0 ? "body" : text.ToString();
    }

    private static string Describe(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(". ", StringComparison.Ordinal);
        var first = cut > 0 ? message[..cut] : message;
        return e.LineNumber is { } line ? $"{first} (line {line + 1}, byte {e.BytePositionInLine})" : first;
    }

    /// <summary>One open object or array on the way to the current token.</summary>
    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;

        public int Index { get; set; } = -1;

        public string? Name { get; set; }

        public HashSet<string> Names { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
