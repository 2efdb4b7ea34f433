using BlocklistService.Domain.Entries;

namespace BlocklistService.Functions.Ingest;

/// <summary>A submitted URL turned into what the list stores: its canonical host and the scope's expression.</summary>
public sealed record EntryExpression(string Host, string Expression, EntryId Id);

/// <summary>Canonicalizes a submitted URL for a scope, through the Domain's canonicalizer.</summary>
public static class EntryExpressions
{
    /// <summary>The expression of <paramref name="url"/> at <paramref name="scope"/>, or false with a reason.</summary>
    public static bool TryCreate(string url, EntryScope scope, out EntryExpression? expression, out string error)
    {
        expression = null;
        error = string.Empty;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https") || uri.Host.Length == 0)
        {
            error = "must be an absolute http or https URL";
            return false;
        }

        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        var path = uri.AbsolutePath;
        var text = scope switch
        {
            EntryScope.Host => host + "/",
            EntryScope.Path => host + (path.EndsWith('/') ? path : path[..(path.LastIndexOf('/') + 1)]),
            _ => host + path + uri.Query,
        };
        expression = new EntryExpression(host, text, EntryId.ForExpression(text));
        return true;
    }
}
