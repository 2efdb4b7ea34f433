using System.Text.Json;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace BlocklistService.Storage.Pipeline;

/// <summary>
/// Reads the Azure error code and message from a failed storage response: the <c>x-ms-error-code</c> header, the
/// Table service's JSON (<c>odata.error</c>) or the Blob service's XML (<c>Error/Code</c>).
/// </summary>
internal sealed class StorageErrorParser : RequestFailedDetailsParser
{
    public static StorageErrorParser Instance { get; } = new();

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        response.Headers.TryGetValue("x-ms-error-code", out var code);
        var (bodyCode, message) = ParseBody(response.Content);
        code ??= bodyCode;
        error = code is null && message is null ? null : new ResponseError(code, message ?? code);
        return error is not null;
    }

    /// <summary>The code and message in a Table JSON or Blob XML error body; nulls when there is none.</summary>
    internal static (string? Code, string? Message) ParseBody(BinaryData? content)
    {
        if (content is null || content.ToMemory().IsEmpty)
        {
            return (null, null);
        }

        var text = content.ToString().TrimStart();
        try
        {
            if (text.StartsWith('{'))
            {
                using var json = JsonDocument.Parse(text);
                var root = json.RootElement;
                if (root.TryGetProperty("odata.error", out var odata) || root.TryGetProperty("error", out odata))
                {
                    var code = odata.TryGetProperty("code", out var c) ? c.GetString() : null;
                    string? message = null;
                    if (odata.TryGetProperty("message", out var m))
                    {
                        message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                    }

                    return (code, message);
                }
            }
            else if (text.StartsWith('<'))
            {
                var root = XDocument.Parse(text).Root;
                return (root?.Element("Code")?.Value, root?.Element("Message")?.Value);
            }
        }
        catch (Exception e) when (e is JsonException or System.Xml.XmlException)
        {
            return (null, null);
        }

        return (null, null);
    }
}
