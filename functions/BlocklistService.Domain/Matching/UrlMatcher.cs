using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Urls;

namespace BlocklistService.Domain.Matching;

/// <summary>
/// Checks requested URLs against a list the way Safe Browsing clients do: canonicalize, generate the host-suffix ×
/// path-prefix expressions, and look each up, most specific first. A list of plain expressions and a list of entry ids
/// (SHA-256 of the expressions) give the same answers; the hashed form is what a client holds when it must not
/// carry the URLs themselves. Immutable once built, so one instance may serve many threads.
/// </summary>
public sealed class UrlMatcher
{
    private readonly HashSet<string>? expressions;
    private readonly HashSet<EntryId>? ids;
    private readonly EntryIdSet? idSet;
    private readonly ExpressionVisitor isListed;

    private UrlMatcher(HashSet<string>? expressions, HashSet<EntryId>? ids, EntryIdSet? idSet = null)
    {
        this.expressions = expressions;
        this.ids = ids;
        this.idSet = idSet;

        // made once: the hot path hands the same delegate to every URL's expression walk
        isListed = idSet is not null ? idSet.ContainsUtf8Expression : IsListedUtf8;
    }

    /// <summary>Number of listed expressions or ids.</summary>
    public int Count => expressions?.Count ?? ids?.Count ?? idSet!.Count;

    /// <summary>A matcher over a compact id set (a hashed client state, a proxy helper): no expression is held.</summary>
    public static UrlMatcher ForIdSet(EntryIdSet listed) => new(null, null, listed ?? throw new ArgumentNullException(nameof(listed)));

    /// <summary>
    /// True when any lookup expression of <paramref name="url"/> is listed: the proxy's yes/no question, answered
    /// without building match records (an id set hashes each expression into a stack buffer).
    /// </summary>
    public bool IsBlocked(CanonicalUrl url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (idSet is not null)
        {
            // all expressions written at once and hashed eight at a time
            Span<byte> buffer = stackalloc byte[4096];
            Span<Range> expressions = stackalloc Range[EntryIdSet.MaxBatch];
            var count = url.TryWriteLookupExpressions(buffer, expressions);
            if (count >= 0)
            {
                return idSet.ContainsAnyExpression(buffer, expressions[..count]);
            }
        }

        return url.AnyLookupExpression(isListed);
    }

    private bool IsListedUtf8(ReadOnlySpan<byte> expression) => IsListed(System.Text.Encoding.UTF8.GetString(expression), out _);

    /// <summary>A matcher over plain expressions (e.g. <c>evil.example/</c>, <c>x.org/a/b.html</c>).</summary>
    public static UrlMatcher ForExpressions(IEnumerable<string> listed) => new(new HashSet<string>(listed, StringComparer.Ordinal), null);

    /// <summary>A matcher over entry ids; each candidate expression is hashed before the lookup.</summary>
    public static UrlMatcher ForIds(IEnumerable<EntryId> listed) => new(null, new HashSet<EntryId>(listed));

    /// <summary>The ids of every entry that would match <paramref name="url"/>: its suffix/prefix expressions, hashed, without repeats.</summary>
    public static IReadOnlyList<EntryId> CandidateIds(CanonicalUrl url) =>
        SuffixPrefixExpressions.All(url).Select(EntryId.ForExpression).Distinct().ToList();

    /// <summary>Canonicalizes <paramref name="url"/> leniently (as a browser request may look) and matches it.</summary>
    public UrlMatch Match(string? url)
    {
        var parsed = CanonicalUrl.Parse(url);
        return parsed.TryGetValue(out var canonical) ? Match(canonical) : new UrlMatch(null, null, null, parsed.Rejection);
    }

    /// <summary>The first listed expression of <paramref name="url"/>, most specific first.</summary>
    public UrlMatch Match(CanonicalUrl url)
    {
        ArgumentNullException.ThrowIfNull(url);
        foreach (var expression in url.LookupExpressions())
        {
            if (IsListed(expression, out var id))
            {
                return new UrlMatch(url, expression, id, null);
            }
        }

        return new UrlMatch(url, null, null, null);
    }

    /// <summary>Every listed expression of <paramref name="url"/>, most specific first (e.g. for a stop page naming all reasons).</summary>
    public IReadOnlyList<UrlMatch> MatchAll(CanonicalUrl url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var matches = new List<UrlMatch>();
        foreach (var expression in url.LookupExpressions())
        {
            if (IsListed(expression, out var id))
            {
                matches.Add(new UrlMatch(url, expression, id, null));
            }
        }

        return matches;
    }

    private bool IsListed(string expression, out EntryId id)
    {
        if (expressions is not null)
        {
            var listed = expressions.Contains(expression);
            id = listed ? EntryId.ForExpression(expression) : default;
            return listed;
        }

        if (idSet is not null)
        {
            var listed = idSet.ContainsExpression(expression);
            id = listed ? EntryId.ForExpression(expression) : default;
            return listed;
        }

        id = EntryId.ForExpression(expression);
        return ids!.Contains(id);
    }
}
