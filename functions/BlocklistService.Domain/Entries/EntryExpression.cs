using BlocklistService.Domain.Urls;

namespace BlocklistService.Domain.Entries;

/// <summary>
/// What a submitted (URL, scope) pair lists: the Safe Browsing expression a matcher will find, and the entry id derived
/// from it. <c>exact</c> gives host + path (+ "?" + query when there is one), <c>path</c> gives host + a directory path
/// ending in '/', <c>host</c> gives host + "/". The expression is what is stored and hashed; the scope travels with it
/// so that exports (RPZ for host entries, proxy lists for the rest) know what it means.
/// </summary>
/// <remarks>
/// Rules beyond canonicalization, each with a reason code:
/// <list type="bullet">
/// <item>The URL must pass <see cref="CanonicalUrl.ParseWebUrl"/> (http/https, length, host, no user-info).</item>
/// <item><c>path</c>: the query is ignored; a path not ending in '/' is taken as a directory ("http://x.org/gallery"
/// lists "x.org/gallery/"). Safe Browsing looks up at most three directories below the root, so a deeper prefix could
/// never match anything but that exact directory URL and is refused (<c>path-too-deep</c>).</item>
/// <item><c>exact</c> and <c>path</c> may not produce "host/": that expression matches the whole host and every
/// subdomain, which only scope host may claim (<c>covers-whole-host</c>).</item>
/// <item><c>exact</c> on a URL whose path ends in '/' and has no query, at most three directories deep, matches
/// everything below it, like a path prefix, so it must be submitted as scope path (<c>exact-is-prefix</c>). This keeps
/// one scope per entry id. Deeper ("/a/b/c/d/") it is looked up only for that very URL, so it is an exact entry.</item>
/// <item><c>path</c> on a URL whose last segment names a file ("/b/c.jpg", a dot in the last segment, no trailing
/// '/') is refused (<c>path-names-file</c>): "b/c.jpg/" would not match the file.</item>
/// <item><c>host</c> ignores path and query, and is refused for IP addresses (<c>ip-host-scope</c>): DNS blocking
/// cannot name an address, and an address usually serves many unrelated sites. A path entry at the address's first
/// directory still works. A host entry covers the host and its subdomains as far as Safe Browsing's five-label host
/// suffixes reach.</item>
/// </list>
/// </remarks>
public sealed record EntryExpression
{
    /// <summary>Directories below the root that a Safe Browsing path prefix can reach ("/a/b/c/").</summary>
    public const int MaxPathDepth = 3;

    private EntryExpression(CanonicalUrl url, EntryScope scope, string expression)
    {
        Url = url;
        Scope = scope;
        Expression = expression;
        Id = EntryId.ForExpression(expression);
    }

    /// <summary>The canonical form of the submitted URL.</summary>
    public CanonicalUrl Url { get; }

    public EntryScope Scope { get; }

    /// <summary>Host + path (+ query), as Safe Browsing writes expressions, e.g. <c>evil.example/a/</c>.</summary>
    public string Expression { get; }

    /// <summary>Lowercase hex SHA-256 of <see cref="Expression"/>.</summary>
    public EntryId Id { get; }

    /// <summary>Validates a submission's URL and scope; never throws for bad input.</summary>
    public static Result<EntryExpression> Create(string? url, EntryScope scope)
    {
        var parsed = CanonicalUrl.ParseWebUrl(url);
        if (!parsed.TryGetValue(out var canonical))
        {
            return parsed.ConvertFailure<EntryExpression>();
        }

        return scope switch
        {
            EntryScope.Exact => ForExact(canonical),
            EntryScope.Path => ForPath(canonical),
            EntryScope.Host => ForHost(canonical),
            _ => Result<EntryExpression>.Failure(RejectionCodes.InvalidScope, $"Unknown scope {scope}."),
        };
    }

    /// <summary>As <see cref="Create(string?, EntryScope)"/> with the scope's wire name (exact, path, host).</summary>
    public static Result<EntryExpression> Create(string? url, string? scope) =>
        EntryScopeNames.TryParse(scope, out var parsed)
            ? Create(url, parsed)
            : Result<EntryExpression>.Failure(RejectionCodes.InvalidScope, "The scope must be one of exact, path, host.");

    public override string ToString() => $"{Scope.ToWireName()} {Expression}";

    private static Result<EntryExpression> ForExact(CanonicalUrl url)
    {
        var path = url.Path;
        var query = url.Query;
        if (string.IsNullOrEmpty(query))
        {
            if (path == "/")
            {
                return CoversWholeHost(url);
            }

            // Safe Browsing looks a directory up as a prefix only at depth 1 to MaxPathDepth; deeper, "a/b/c/d/" is
            // looked up only as the full path of that very URL, so it is an exact entry, not a prefix.
            if (path.EndsWith('/') && DepthOf(path) <= MaxPathDepth)
            {
                return Result<EntryExpression>.Failure(
                    RejectionCodes.ExactIsPrefix,
                    $"'{url.Host}{path}' ends in '/', so it also matches everything below it; submit it with scope path.");
            }

            return Result<EntryExpression>.Success(new EntryExpression(url, EntryScope.Exact, url.Host + path));
        }

        return Result<EntryExpression>.Success(new EntryExpression(url, EntryScope.Exact, string.Concat(url.Host, path, "?", query)));
    }

    private static Result<EntryExpression> ForPath(CanonicalUrl url)
    {
        var path = url.Path;
        if (!path.EndsWith('/'))
        {
            // "/b/c.jpg" as a directory would be "/b/c.jpg/", which matches nothing the submitter meant.
            var last = path[(path.LastIndexOf('/') + 1)..];
            if (last.Contains('.', StringComparison.Ordinal))
            {
                return Result<EntryExpression>.Failure(
                    RejectionCodes.PathNamesFile,
                    $"'{path}' names a file, and scope path lists a directory and everything below it; submit the file with scope exact, or its directory ('{path[..(path.Length - last.Length)]}') with scope path; a directory whose name has a dot is written with a trailing '/'.");
            }

            path += "/";
        }

        if (path == "/")
        {
            return CoversWholeHost(url);
        }

        var depth = DepthOf(path);
        if (depth > MaxPathDepth)
        {
            return Result<EntryExpression>.Failure(
                RejectionCodes.PathTooDeep,
                $"'{path}' is {depth} directories deep; Safe Browsing path prefixes reach at most {MaxPathDepth} (e.g. /a/b/c/), so this would match only the directory URL itself. List a shorter prefix, or the directory URL and the URLs below it with scope exact.");
        }

        return Result<EntryExpression>.Success(new EntryExpression(url, EntryScope.Path, url.Host + path));
    }

    private static Result<EntryExpression> ForHost(CanonicalUrl url)
    {
        if (url.HostKind != HostKind.Name)
        {
            return Result<EntryExpression>.Failure(
                RejectionCodes.IpHostScope,
                $"'{url.Host}' is an IP address; scope host needs a host name. List a path or exact URLs on the address instead.");
        }

        return Result<EntryExpression>.Success(new EntryExpression(url, EntryScope.Host, url.Host + "/"));
    }

    /// <summary>Directories of a path ending in '/': "/a/b/" is 2.</summary>
    private static int DepthOf(string path) => path.AsSpan().Count('/') - 1;

    private static Result<EntryExpression> CoversWholeHost(CanonicalUrl url) =>
        Result<EntryExpression>.Failure(
            RejectionCodes.CoversWholeHost,
            $"'{url.Host}/' would block all of {url.Host} and its subdomains; use scope host if the whole host is dedicated to abuse.");
}
