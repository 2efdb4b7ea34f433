namespace BlocklistService.Domain.Urls;

/// <summary>
/// The machine-readable reasons a URL or entry is refused. They are part of the API (problem+json and submission
/// item results), so they never change meaning once published.
/// </summary>
public static class RejectionCodes
{
    /// <summary>Nothing but whitespace.</summary>
    public const string Empty = "empty";

    /// <summary>The URL is longer than <see cref="CanonicalUrl.MaxWebUrlLength"/> characters.</summary>
    public const string UrlTooLong = "url-too-long";

    /// <summary>The URL holds a control character other than tab, CR and LF (which are removed).</summary>
    public const string ControlCharacter = "control-character";

    /// <summary>Not an http or https URL (javascript:, data:, file:, ftp:, mailto:, ...).</summary>
    public const string UnsupportedScheme = "unsupported-scheme";

    /// <summary>No host: "http:///x", "/x", "http://:80/".</summary>
    public const string MissingHost = "missing-host";

    /// <summary>A host that cannot be a web host: forbidden characters, bad IPv6 literal, numeric last label, one label, ...</summary>
    public const string InvalidHost = "invalid-host";

    /// <summary>The canonical host is longer than 253 characters or has a label over 63.</summary>
    public const string HostTooLong = "host-too-long";

    /// <summary>A port that is not a number from 0 to 65535.</summary>
    public const string InvalidPort = "invalid-port";

    /// <summary>The URL carries user-info ("user:pass@"), which would hide the real host from a reader.</summary>
    public const string UserInfo = "user-info";

    /// <summary>A scope name other than exact, path or host.</summary>
    public const string InvalidScope = "invalid-scope";

    /// <summary>A path-scope prefix deeper than the three directories Safe Browsing path prefixes can reach.</summary>
    public const string PathTooDeep = "path-too-deep";

    /// <summary>A path-scope URL whose last segment names a file ("/b/c.jpg"): as a directory it would match nothing meant.</summary>
    public const string PathNamesFile = "path-names-file";

    /// <summary>The expression would be "host/", which blocks the whole host: that needs scope host.</summary>
    public const string CoversWholeHost = "covers-whole-host";

    /// <summary>An exact URL ending in '/' (at most three directories deep) matches everything under it like a path prefix: that needs scope path.</summary>
    public const string ExactIsPrefix = "exact-is-prefix";

    /// <summary>Host scope on an IP literal, which DNS-based blocking would turn into blocking every site on the address.</summary>
    public const string IpHostScope = "ip-host-scope";
}
