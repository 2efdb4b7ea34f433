namespace BlocklistService.Domain.Urls;

/// <summary>
/// A URL in Safe Browsing canonical form, e.g. <c>http://195.127.0.11/blah</c> for <c>http://3279880203/blah</c>:
/// lower-case scheme and host, no port, user-info or fragment, a resolved path that starts with '/', the query as
/// given, and only bytes &gt; 0x20 and &lt; 0x7F other than '#' and '%' written literally. Canonicalizing the
/// canonical form again gives the same string.
/// </summary>
/// <remarks>
/// Choices where the published rules are silent:
/// <list type="bullet">
/// <item>Percent-unescaping runs over the whole URL before it is split, as the rules order it, so an escaped '/', '?',
/// ':' or '@' acts as that delimiter ("http%3A%2F%2Fwackyurl.com:80/" is "http://wackyurl.com/"). A '#' produced by
/// unescaping is not a fragment: the fragment was removed before.</item>
/// <item>Backslashes before the query are read as '/', which is what browsers request.</item>
/// <item>IPv6 literals stay bracketed and are written in RFC 5952 form (lower case, zeros compressed); zone ids are
/// refused. They get no host-suffix lookups, like IPv4 addresses.</item>
/// <item>Internationalized names become punycode. Mapping before encoding covers lower-casing, fullwidth ASCII forms
/// and ideographic full stops, not the rest of UTS #46 (no NFC/NFKC tables), so a name typed in decomposed form
/// gets a different punycode than the composed form. Hosts that are not valid UTF-8 keep their bytes, escaped
/// ("http://\x01\x80.com/" is "http://%01%80.com/").</item>
/// <item>An empty query is kept in the URL ("http://www.google.com/q?") but yields no separate lookup expression.</item>
/// </list>
/// </remarks>
public sealed class CanonicalUrl : IEquatable<CanonicalUrl>
{
    /// <summary>Longest URL a submission may carry, in UTF-16 characters (browsers and proxies cap near here).</summary>
    public const int MaxWebUrlLength = 2048;

    /// <summary>Longest canonical host name a submission may carry (the DNS limit).</summary>
    public const int MaxHostLength = 253;

    /// <summary>Longest input the lenient parser accepts, so that hostile input costs bounded work.</summary>
    public const int MaxInputLength = 65536;

    private readonly int schemeLength;
    private readonly int hostStart;
    private readonly int hostLength;
    private readonly int pathStart;
    private readonly int pathLength;
    private readonly int queryStart;

    internal CanonicalUrl(string value, int schemeLength, int hostStart, int hostLength, int pathStart, int pathLength, int queryStart, HostKind hostKind)
    {
        Value = value;
        this.schemeLength = schemeLength;
        this.hostStart = hostStart;
        this.hostLength = hostLength;
        this.pathStart = pathStart;
        this.pathLength = pathLength;
        this.queryStart = queryStart;
        HostKind = hostKind;
    }

    /// <summary>The whole canonical URL.</summary>
    public string Value { get; }

    /// <summary>Lower-case scheme, e.g. <c>https</c>.</summary>
    public string Scheme => Value[..schemeLength];

    /// <summary>Canonical host: a name, a dotted quad or a bracketed IPv6 address, escaped where needed.</summary>
    public string Host => Value.Substring(hostStart, hostLength);

    /// <summary>Canonical path; always starts with '/'.</summary>
    public string Path => Value.Substring(pathStart, pathLength);

    /// <summary>The query after '?', escaped; null when the URL has no '?', empty for a bare '?'.</summary>
    public string? Query => queryStart < 0 ? null : Value[queryStart..];

    public HostKind HostKind { get; }

    internal ReadOnlySpan<char> HostSpan => Value.AsSpan(hostStart, hostLength);

    internal ReadOnlySpan<char> PathSpan => Value.AsSpan(pathStart, pathLength);

    internal ReadOnlySpan<char> QuerySpan => queryStart < 0 ? default : Value.AsSpan(queryStart);

    /// <summary>
    /// Canonicalizes any URL as Safe Browsing clients do before a lookup: any scheme with an authority, no scheme
    /// meaning http, and a host that need not be a valid DNS name. Fails only when there is no host to speak of,
    /// a scheme without "//" (mailto:, javascript:), a port that is not a number, or more than
    /// <see cref="MaxInputLength"/> characters.
    /// </summary>
    public static Result<CanonicalUrl> Parse(string? url) =>
        url is null ? Result<CanonicalUrl>.Failure(RejectionCodes.Empty, "The URL is empty.") : UrlCanonicalizer.Canonicalize(url.AsSpan(), strict: false);

    /// <summary>As <see cref="Parse(string?)"/>, over raw bytes (for URLs that are not valid UTF-8, as seen in logs).</summary>
    public static Result<CanonicalUrl> Parse(ReadOnlySpan<byte> url) => UrlCanonicalizer.Canonicalize(url, strict: false);

    /// <summary>
    /// Canonicalizes a URL that is to be listed, refusing what cannot be a web URL: schemes other than http and
    /// https, more than <see cref="MaxWebUrlLength"/> characters, control characters (other than tab, CR and LF,
    /// which the rules remove), user-info, ports above 65535, and hosts that are not an IPv4 address, a bracketed
    /// IPv6 address or a DNS name of at least two labels of [a-z0-9-_] (after punycode) within 253 characters.
    /// </summary>
    public static Result<CanonicalUrl> ParseWebUrl(string? url) =>
        url is null ? Result<CanonicalUrl>.Failure(RejectionCodes.Empty, "The URL is empty.") : UrlCanonicalizer.Canonicalize(url.AsSpan(), strict: true);

    /// <summary>
    /// The host strings Safe Browsing looks up, most specific first: the host itself and, for names, the suffixes
    /// made of the last five labels down to the last two (the top-level domain alone is skipped): at most five.
    /// </summary>
    public IReadOnlyList<string> LookupHosts() => SuffixPrefixExpressions.Hosts(this);

    /// <summary>
    /// The path strings Safe Browsing looks up, most specific first: path with query, path without query, and the
    /// directory prefixes "/", "/a/", "/a/b/", "/a/b/c/" that differ from the path: at most six.
    /// </summary>
    public IReadOnlyList<string> LookupPaths() => SuffixPrefixExpressions.Paths(this);

    /// <summary>Every host × path combination (at most 30), most specific first; a listed entry matches if one is listed.</summary>
    public IReadOnlyList<string> LookupExpressions() => SuffixPrefixExpressions.All(this);

    /// <summary>
    /// Calls <paramref name="visit"/> with each lookup expression's UTF-8 bytes, most specific first (the order of
    /// <see cref="LookupExpressions"/>), until it returns true; true when it did. Allocates nothing for usual URLs:
    /// what a matcher that hashes every expression uses.
    /// </summary>
    public bool AnyLookupExpression(ExpressionVisitor visit) => SuffixPrefixExpressions.Any(this, visit);

    /// <summary>The lookup expressions' UTF-8 bytes written into a buffer at once (-1: it is too small); for batch hashing.</summary>
    internal int TryWriteLookupExpressions(Span<byte> buffer, Span<Range> expressions) => SuffixPrefixExpressions.TryWriteAll(this, buffer, expressions);

    public bool Equals(CanonicalUrl? other) => other is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is CanonicalUrl other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);

    public override string ToString() => Value;
}
