using BlocklistService.Domain.Urls;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Urls;

public sealed class CanonicalizationPropertyTests
{
    private static readonly string[] Schemes = ["http://", "https://", "HTTP://", "ftp://", "", "http:\\\\", "http%3A%2F%2F"];

    private static readonly string[] HostPieces =
    [
        "a", "B", "example", "com", ".", "..", "-", "_", "xn--", "0x7f", "1", "255", "012", "3279880203", "%2e", "%25",
        "%", "%4", "%41", "%2525", "#", "\u00fc", "\u0430", "\uff27", "\u3002", " ", "\t", "\u0001", "\u0080", "!", "<", "[::1]", "[", "]", "@", "user@", ":80",
    ];

    private static readonly string[] PathPieces =
    [
        "/", "//", "/./", "/../", ".", "..", "a", "Z", "%2F", "%2e%2e", "%25", "%252e", "%", "%%", "%4", "%41", "%23", "#frag", "?", "??", "q=1",
        "&", "\\", " ", "\t", "\r\n", "\u0000", "\u007f", "\u00e9", "\ud83d\ude00", "\ufffd", "'", "\"", ";", "%3F", "%3f", "%00", "%C0%AF", "%E0%80%AF",
    ];

    public static Arbitrary<string> Urls()
    {
        var scheme = Gen.Elements(Schemes);
        var host = Gen.Elements(HostPieces).ArrayOf().Select(parts => string.Concat(parts));
        var path = Gen.Elements(PathPieces).ArrayOf().Select(parts => string.Concat(parts));
        var any = ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty);
        var structured = scheme.SelectMany(s => host.SelectMany(h => path.Select(p => s + "x" + h + p)));
        return Gen.Frequency((8, structured), (1, any)).ToArbitrary();
    }

    [Property(Arbitrary = [typeof(CanonicalizationPropertyTests)], MaxTest = 2000)]
    public bool Canonicalization_is_idempotent(string url)
    {
        var first = CanonicalUrl.Parse(url);
        if (!first.TryGetValue(out var canonical))
        {
            return true;
        }

        var again = CanonicalUrl.Parse(canonical.Value);
        return again.IsSuccess && again.Value.Value == canonical.Value && again.Value.HostKind == canonical.HostKind;
    }

    [Property(Arbitrary = [typeof(CanonicalizationPropertyTests)], MaxTest = 2000)]
    public bool Canonical_urls_hold_only_printable_ascii_and_lookup_expressions_come_from_them(string url)
    {
        if (!CanonicalUrl.Parse(url).TryGetValue(out var canonical))
        {
            return true;
        }

        foreach (var c in canonical.Value)
        {
            if (c <= ' ' || c >= '\u007f' || c == '#')
            {
                return false;
            }
        }

        var expressions = canonical.LookupExpressions();
        return expressions.Count is >= 1 and <= 30
            && canonical.Path.StartsWith('/')
            && expressions[0] == canonical.Host + canonical.Path + (string.IsNullOrEmpty(canonical.Query) ? string.Empty : "?" + canonical.Query);
    }

    [Property(Arbitrary = [typeof(CanonicalizationPropertyTests)], MaxTest = 1000)]
    public bool Strict_parsing_accepts_a_subset_with_the_same_canonical_form(string url)
    {
        var strict = CanonicalUrl.ParseWebUrl(url);
        if (!strict.IsSuccess)
        {
            return true;
        }

        var lenient = CanonicalUrl.Parse(url);
        return lenient.IsSuccess && lenient.Value.Value == strict.Value.Value;
    }
}
