using System.Globalization;
using Azure;
using Azure.Core;
using BlocklistService.Storage.Pipeline;

namespace BlocklistService.Storage.Blobs;

/// <summary>Request and response header conventions shared by the blob clients.</summary>
internal static class BlobWire
{
    public static HttpMessage CreateMessage(StoragePipeline pipeline, RequestMethod method, Uri uri, string version)
    {
        var message = pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(uri);
        message.Request.Headers.SetValue("x-ms-version", version);
        return message;
    }

    public static void ApplyConditions(Request request, RequestConditions? conditions)
    {
        if (conditions is null)
        {
            return;
        }

        if (conditions.IfMatch is { } ifMatch)
        {
            request.Headers.SetValue("If-Match", ifMatch.ToString("H"));
        }

        if (conditions.IfNoneMatch is { } ifNoneMatch)
        {
            request.Headers.SetValue("If-None-Match", ifNoneMatch.ToString("H"));
        }

        if (conditions.IfModifiedSince is { } since)
        {
            request.Headers.SetValue("If-Modified-Since", since.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture));
        }

        if (conditions.IfUnmodifiedSince is { } unmodified)
        {
            request.Headers.SetValue("If-Unmodified-Since", unmodified.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A blob ETag without the quotes headers carry, so header and listing values compare equal.</summary>
    public static ETag ParseETag(string? value) => value is null ? default : new ETag(value.Trim('"'));

    public static ETag ETag(Response response) => ParseETag(Header(response, "ETag"));

    public static string? Header(Response response, string name) => response.Headers.TryGetValue(name, out var value) ? value : null;

    public static DateTimeOffset Date(Response response, string name) => ParseDate(Header(response, name)) ?? default;

    public static DateTimeOffset? ParseDate(string? value) =>
        value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;

    public static byte[]? Hash(string? base64) => string.IsNullOrEmpty(base64) ? null : Convert.FromBase64String(base64);

    public static IDictionary<string, string> Metadata(Response response)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers)
        {
            if (header.Name.StartsWith("x-ms-meta-", StringComparison.OrdinalIgnoreCase))
            {
                metadata[header.Name["x-ms-meta-".Length..]] = header.Value;
            }
        }

        return metadata;
    }
}
