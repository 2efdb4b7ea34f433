using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Urls;

namespace BlocklistService.Domain.Matching;

/// <summary>
/// The answer to "is this URL listed?": the canonical URL, and when listed the lookup expression that was found
/// and its entry id. A URL that cannot be canonicalized is not listed and carries the reason.
/// </summary>
public sealed record UrlMatch(CanonicalUrl? Url, string? Expression, EntryId? Id, Rejection? Failure)
{
    /// <summary>True when one of the URL's lookup expressions is listed.</summary>
    public bool IsMatch => Expression is not null;
}
