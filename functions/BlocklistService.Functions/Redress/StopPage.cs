using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace BlocklistService.Functions.Redress;

/// <summary>
/// The stop page an RPZ CNAME/A or a proxy's deny page sends users to. It is rendered from configuration and the
/// request's own headers only: it never looks anything up, so it cannot tell anyone whether or which entry matched.
/// Plain HTML, no scripts; the one inline style is allowed by its hash in a CSP that allows nothing else.
/// </summary>
public sealed class StopPage(IOptions<StopPageOptions> options)
{
    /// <summary>Longest proxy-passed URL shown; longer ones are cut (the page must stay small and cacheable).</summary>
    public const int MaxShownLength = 512;

    private const string Style =
        "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}" +
        "h1{font-size:1.6rem}dt{font-weight:bold;margin-top:1rem}dd{margin:0}code{word-break:break-all}";

    /// <summary>The Content-Security-Policy: nothing may load or run; only the page's own style block applies.</summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Used only while <c>StopPage:Jurisdictions</c> is empty, so a fresh deployment still tells users why.</summary>
    private static readonly StopPageText Unconfigured = new()
    {
        Title = "Access to this address has been blocked",
        Explanation = "Your network provider blocks this address because it was reported and verified as hosting child sexual abuse material.",
        LegalBasis = "Article 25 of Directive 2011/93/EU and the national law implementing it.",
        Authority = "The national hotline that verified the report.",
        Appeal = "If you are responsible for this site and believe the blocking is wrong, you can appeal at /api/v1/appeals.",
        Contact = "Your network provider.",
    };

    /// <summary>The jurisdiction configured for a stop host (<paramref name="host"/> without port), or null when it is not one.</summary>
    public string? JurisdictionOfHost(string host)
    {
        var settings = options.Value;
        if (settings.Hosts.TryGetValue(host, out var named))
        {
            return string.IsNullOrEmpty(named) ? settings.DefaultJurisdiction : named;
        }

        if (settings.Hosts.TryGetValue(StopPageOptions.AnyOtherHost, out var any) && !settings.ApiHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
        {
            return string.IsNullOrEmpty(any) ? settings.DefaultJurisdiction : any;
        }

        return null;
    }

    /// <summary>True when <paramref name="host"/> is named in <c>StopPage:Hosts</c> (not only matched by <c>*</c>).</summary>
    public bool IsNamedStopHost(string host) => options.Value.Hosts.ContainsKey(host);

    public int CacheSeconds => options.Value.CacheSeconds;

    /// <summary>Renders the page for a jurisdiction (null: the default), the request's Accept-Language and the address to show, if any.</summary>
    public RenderedStopPage Render(string? jurisdiction, IEnumerable<StringWithQualityHeaderValue> acceptLanguage, string? shownAddress)
    {
        var settings = options.Value;
        var (language, text) = Choose(settings, jurisdiction ?? settings.DefaultJurisdiction, acceptLanguage);
        var html = new StringBuilder(2048);
        var encode = HtmlEncoder.Default;
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(encode.Encode(language)).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n")
            .Append("<title>").Append(encode.Encode(text.Title)).Append("</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n<main>\n")
            .Append("<h1>").Append(encode.Encode(text.Title)).Append("</h1>\n")
            .Append("<p>").Append(encode.Encode(text.Explanation)).Append("</p>\n");
        if (!string.IsNullOrEmpty(shownAddress))
        {
            var shown = shownAddress.Length > MaxShownLength ? shownAddress[..MaxShownLength] + "…" : shownAddress;
            html.Append("<p>").Append(encode.Encode(text.RequestedLabel)).Append(": <code>").Append(encode.Encode(shown)).Append("</code></p>\n");
        }

        html.Append("<dl>\n");
        foreach (var (label, value) in new[]
                 {
                     (text.LegalBasisLabel, text.LegalBasis), (text.AuthorityLabel, text.Authority),
                     (text.AppealLabel, text.Appeal), (text.ContactLabel, text.Contact),
                 })
        {
            html.Append("<dt>").Append(encode.Encode(label)).Append("</dt><dd>").Append(encode.Encode(value)).Append("</dd>\n");
        }

        html.Append("</dl>\n</main>\n</body>\n</html>\n");
        return new RenderedStopPage(language, Encoding.UTF8.GetBytes(html.ToString()));
    }

    /// <summary>
    /// The language: the highest-weighted Accept-Language range the jurisdiction has a text for (exact tag first, then
    /// its primary subtag, <c>de-AT</c> → <c>de</c>); otherwise the jurisdiction's default language.
    /// </summary>
    private static (string Language, StopPageText Text) Choose(StopPageOptions settings, string jurisdiction, IEnumerable<StringWithQualityHeaderValue> acceptLanguage)
    {
        if (!settings.Jurisdictions.TryGetValue(jurisdiction, out var texts) && !settings.Jurisdictions.TryGetValue(settings.DefaultJurisdiction, out texts))
        {
            return ("en", Unconfigured);
        }

        var ranked = acceptLanguage
            .Select((range, position) => (Tag: range.Value.Value ?? "", Quality: range.Quality ?? 1.0, Position: position))
            .Where(range => range.Quality > 0)
            .OrderByDescending(range => range.Quality).ThenBy(range => range.Position);
        foreach (var (tag, _, _) in ranked)
        {
            if (texts.Languages.TryGetValue(tag, out var exact))
            {
                return (Canonical(texts, tag), exact);
            }

            var dash = tag.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0 && texts.Languages.TryGetValue(tag[..dash], out var primary))
            {
                return (Canonical(texts, tag[..dash]), primary);
            }
        }

        return (texts.DefaultLanguage, texts.Languages[texts.DefaultLanguage]);
    }

    // the tag as configured (Content-Language and <html lang> use the operator's spelling)
    private static string Canonical(StopPageJurisdiction texts, string tag) =>
        texts.Languages.Keys.First(key => string.Equals(key, tag, StringComparison.OrdinalIgnoreCase)).ToLower(CultureInfo.InvariantCulture);
}

/// <summary>A rendered stop page: its language tag and UTF-8 HTML.</summary>
public sealed record RenderedStopPage(string Language, byte[] Html);
