using System.Globalization;
using System.Text.Json;
using Azure;

namespace BlocklistService.Storage.Tables;

/// <summary>
/// The Table service's JSON entity format. Writes annotate every type JSON cannot carry on its own
/// (<c>Edm.Int64</c>, <c>Edm.Double</c>, <c>Edm.DateTime</c>, <c>Edm.Guid</c>, <c>Edm.Binary</c>) so the stored type
/// is the CLR type written; reads use the annotations of <c>odata=minimalmetadata</c> to restore those types.
/// </summary>
internal static class TableEntityJson
{
    private const string TypeSuffix = "@odata.type";

    public static byte[] Serialize(TableEntity entity)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, entity);
        }

        return buffer.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, TableEntity entity)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in entity)
        {
            if (name == TableEntity.TimestampName || value is null)
            {
                continue;
            }

            switch (value)
            {
                case string s:
                    writer.WriteString(name, s);
                    break;
                case int i:
                    writer.WriteNumber(name, i);
                    break;
                case bool b:
                    writer.WriteBoolean(name, b);
                    break;
                case long l:
                    writer.WriteString(name + TypeSuffix, "Edm.Int64");
                    writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                    break;
                case double d:
                    writer.WriteString(name + TypeSuffix, "Edm.Double");
                    if (double.IsFinite(d))
                    {
                        writer.WriteNumber(name, d);
                    }
                    else
                    {
                        writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                    }

                    break;
                case DateTimeOffset d:
                    writer.WriteString(name + TypeSuffix, "Edm.DateTime");
                    writer.WriteString(name, FormatDate(d));
                    break;
                case DateTime d:
                    writer.WriteString(name + TypeSuffix, "Edm.DateTime");
                    writer.WriteString(name, FormatDate(new DateTimeOffset(d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : d.ToUniversalTime())));
                    break;
                case Guid g:
                    writer.WriteString(name + TypeSuffix, "Edm.Guid");
                    writer.WriteString(name, g.ToString("D"));
                    break;
                case byte[] bytes:
                    writer.WriteString(name + TypeSuffix, "Edm.Binary");
                    writer.WriteBase64String(name, bytes);
                    break;
                case BinaryData data:
                    writer.WriteString(name + TypeSuffix, "Edm.Binary");
                    writer.WriteBase64String(name, data.ToMemory().Span);
                    break;
                default:
                    throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType().Name}.", nameof(entity));
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads one entity object (minimal or no metadata), restoring annotated types.</summary>
    public static TableEntity Read(JsonElement json)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            if (property.Name.EndsWith(TypeSuffix, StringComparison.Ordinal) && property.Value.ValueKind == JsonValueKind.String)
            {
                types[property.Name[..^TypeSuffix.Length]] = property.Value.GetString()!;
            }
        }

        var entity = new TableEntity();
        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            if (name == "odata.etag")
            {
                entity.ETag = new ETag(property.Value.GetString()!);
                continue;
            }

            if (name.StartsWith("odata.", StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal))
            {
                continue;
            }

            if (name == TableEntity.TimestampName)
            {
                types[name] = "Edm.DateTime";
            }

            var value = ReadValue(property.Value, types.GetValueOrDefault(name));
            if (value is not null)
            {
                entity[name] = value;
            }
        }

        return entity;
    }

    internal static string FormatDate(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static object? ReadValue(JsonElement value, string? type)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number:
                if (type == "Edm.Double")
                {
                    return value.GetDouble();
                }

                if (type == "Edm.Int64")
                {
                    return value.GetInt64();
                }

                var raw = value.GetRawText();
                if (raw.IndexOfAny(['.', 'e', 'E']) < 0 && value.TryGetInt32(out var i))
                {
                    return i;
                }

                return raw.IndexOfAny(['.', 'e', 'E']) < 0 && value.TryGetInt64(out var l) ? l : value.GetDouble();
            case JsonValueKind.String:
                var text = value.GetString()!;
                return type switch
                {
                    "Edm.Int64" => long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    "Edm.Int32" => int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    "Edm.Double" => text switch
                    {
                        "NaN" => double.NaN,
                        "Infinity" => double.PositiveInfinity,
                        "-Infinity" => double.NegativeInfinity,
                        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
                    },
                    "Edm.DateTime" => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
                    "Edm.Guid" => Guid.Parse(text),
                    "Edm.Binary" => Convert.FromBase64String(text),
                    "Edm.Boolean" => bool.Parse(text),
                    _ => text,
                };
            default:
                throw new FormatException($"Unexpected JSON {value.ValueKind} in a table entity.");
        }
    }
}
