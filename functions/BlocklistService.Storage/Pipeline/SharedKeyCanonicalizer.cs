using System.Text;

namespace BlocklistService.Storage.Pipeline;

/// <summary>The parts of a request that Shared Key signs; header names are matched case-insensitively.</summary>
internal sealed record SignedRequest(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, long? ContentLength);

/// <summary>
/// The string-to-sign rules of Shared Key authorization (learn.microsoft.com "Authorize with Shared Key"): the full
/// form used by the Blob service and the shorter "Shared Key (table)" form used by the Table service. Pure, so
/// the canonicalization is tested against fixed vectors.
/// </summary>
internal static class SharedKeyCanonicalizer
{
    /// <summary>Blob service: verb, standard headers, canonicalized x-ms-* headers and resource with all query parameters.</summary>
    public static string BlobStringToSign(string accountName, SignedRequest request)
    {
        var text = new StringBuilder();
        text.Append(request.Method.ToUpperInvariant()).Append('\n');
        text.Append(Header(request, "Content-Encoding")).Append('\n');
        text.Append(Header(request, "Content-Language")).Append('\n');
        text.Append(request.ContentLength is > 0 ? request.ContentLength.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty).Append('\n');
        text.Append(Header(request, "Content-MD5")).Append('\n');
        text.Append(Header(request, "Content-Type")).Append('\n');
        text.Append(request.Headers.ContainsKey("x-ms-date") ? string.Empty : Header(request, "Date")).Append('\n');
        text.Append(Header(request, "If-Modified-Since")).Append('\n');
        text.Append(Header(request, "If-Match")).Append('\n');
        text.Append(Header(request, "If-None-Match")).Append('\n');
        text.Append(Header(request, "If-Unmodified-Since")).Append('\n');
        text.Append(Header(request, "Range")).Append('\n');

        foreach (var (name, value) in request.Headers
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: h.Value.Trim()))
            .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            text.Append(name).Append(':').Append(value).Append('\n');
        }

        text.Append('/').Append(accountName).Append(request.Uri.AbsolutePath);
        foreach (var parameter in ParseQuery(request.Uri.Query)
            .GroupBy(p => p.Name.ToLowerInvariant())
            .OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var values = parameter.Select(p => p.Value).OrderBy(v => v, StringComparer.Ordinal);
            text.Append('\n').Append(parameter.Key).Append(':').Append(string.Join(',', values));
        }

        return text.ToString();
    }

    /// <summary>Table service: verb, Content-MD5, Content-Type, date (x-ms-date when present), resource with only <c>comp</c>.</summary>
    public static string TableStringToSign(string accountName, SignedRequest request)
    {
        var date = request.Headers.TryGetValue("x-ms-date", out var msDate) ? msDate : Header(request, "Date");
        var text = new StringBuilder();
        text.Append(request.Method.ToUpperInvariant()).Append('\n');
        text.Append(Header(request, "Content-MD5")).Append('\n');
        text.Append(Header(request, "Content-Type")).Append('\n');
        text.Append(date).Append('\n');
        text.Append('/').Append(accountName).Append(request.Uri.AbsolutePath);
        var comp = ParseQuery(request.Uri.Query).FirstOrDefault(p => string.Equals(p.Name, "comp", StringComparison.OrdinalIgnoreCase));
        if (comp.Name is not null)
        {
            text.Append("?comp=").Append(comp.Value);
        }

        return text.ToString();
    }

    private static string Header(SignedRequest request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value : string.Empty;

    private static IEnumerable<(string Name, string Value)> ParseQuery(string query)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            yield return (Uri.UnescapeDataString(parts[0]), parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
        }
    }
}
