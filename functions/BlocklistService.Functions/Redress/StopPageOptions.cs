using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Redress;

/// <summary>
/// The stop page (section <c>StopPage</c>): the text shown per jurisdiction and language, and the hosts on which every
/// path is the stop page. See docs/operations.md, "Stop page".
/// </summary>
public sealed class StopPageOptions
{
    public const string Section = "StopPage";

    /// <summary>The key in <see cref="Hosts"/> that matches every host not named in <see cref="ApiHosts"/> (RPZ CNAME/A targets).</summary>
    public const string AnyOtherHost = "*";

    /// <summary><c>StopPage:DefaultJurisdiction</c>: the text of <c>/stop</c> and of hosts mapped to no jurisdiction.</summary>
    public string DefaultJurisdiction { get; set; } = "eu";

    /// <summary><c>StopPage:Jurisdictions:{name}</c>: per jurisdiction, its texts by language tag.</summary>
    public Dictionary<string, StopPageJurisdiction> Jurisdictions { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// <c>StopPage:Hosts:{host}</c> = jurisdiction: requests whose Host is this name get the stop page on any path. The key
    /// <c>*</c> stands for every host not in <see cref="ApiHosts"/>: what a listener behind an RPZ CNAME/A receives.
    /// </summary>
    public Dictionary<string, string> Hosts { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary><c>StopPage:ApiHosts</c>: the names the API is reached under; required with the <c>*</c> host so it stays reachable.</summary>
    public List<string> ApiHosts { get; set; } = [];

    /// <summary><c>StopPage:CacheSeconds</c>: <c>Cache-Control: public, max-age</c> of the page.</summary>
    public int CacheSeconds { get; set; } = 3600;
}

/// <summary>One jurisdiction's stop-page texts: by language tag (<c>en</c>, <c>de</c>, …), and the language used when none fits.</summary>
public sealed class StopPageJurisdiction
{
    public string DefaultLanguage { get; set; } = "en";

    public Dictionary<string, StopPageText> Languages { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>The words of a stop page in one language; plain text, HTML-escaped when rendered.</summary>
public sealed class StopPageText
{
    /// <summary>Heading, e.g. "Access to this address has been blocked".</summary>
    public string Title { get; set; } = "";

    /// <summary>Why users see the page (the reason for the restriction).</summary>
    public string Explanation { get; set; } = "";

    /// <summary>The legal basis of the blocking.</summary>
    public string LegalBasis { get; set; } = "";

    /// <summary>The hotline or authority responsible for the list.</summary>
    public string Authority { get; set; } = "";

    /// <summary>How a site owner appeals (e.g. the appeals route or a web form).</summary>
    public string Appeal { get; set; } = "";

    /// <summary>Contact for questions.</summary>
    public string Contact { get; set; } = "";

    /// <summary>Label before the requested address, e.g. "Requested address".</summary>
    public string RequestedLabel { get; set; } = "Requested address";

    /// <summary>Labels of the four sections.</summary>
    public string LegalBasisLabel { get; set; } = "Legal basis";

    public string AuthorityLabel { get; set; } = "Responsible";

    public string AppealLabel { get; set; } = "How to appeal";

    public string ContactLabel { get; set; } = "Contact";
}

/// <summary>Checks the stop page configuration at start-up: every name it points to exists and every text is filled in.</summary>
public sealed class StopPageOptionsValidation : IValidateOptions<StopPageOptions>
{
    public ValidateOptionsResult Validate(string? name, StopPageOptions options)
    {
        var failures = new List<string>();
        if (options.CacheSeconds is < 0 or > 86_400)
        {
            failures.Add("StopPage:CacheSeconds must be between 0 and 86400");
        }

        if (options.Jurisdictions.Count > 0 && !options.Jurisdictions.ContainsKey(options.DefaultJurisdiction))
        {
            failures.Add($"StopPage:DefaultJurisdiction '{options.DefaultJurisdiction}' is not one of StopPage:Jurisdictions");
        }

        foreach (var (host, jurisdiction) in options.Hosts)
        {
            if (options.Jurisdictions.Count > 0 && !string.IsNullOrEmpty(jurisdiction) && !options.Jurisdictions.ContainsKey(jurisdiction))
            {
                failures.Add($"StopPage:Hosts:{host} names jurisdiction '{jurisdiction}', which is not one of StopPage:Jurisdictions");
            }
        }

        if (options.Hosts.ContainsKey(StopPageOptions.AnyOtherHost) && options.ApiHosts.Count == 0)
        {
            failures.Add("StopPage:Hosts:* needs StopPage:ApiHosts (the names the API is reached under), or the API becomes unreachable");
        }

        foreach (var (jurisdiction, texts) in options.Jurisdictions)
        {
            if (!texts.Languages.ContainsKey(texts.DefaultLanguage))
            {
                failures.Add($"StopPage:Jurisdictions:{jurisdiction}:DefaultLanguage '{texts.DefaultLanguage}' has no entry in Languages");
            }

            foreach (var (language, text) in texts.Languages)
            {
                foreach (var (field, value) in new[]
                         {
                             ("Title", text.Title), ("Explanation", text.Explanation), ("LegalBasis", text.LegalBasis),
                             ("Authority", text.Authority), ("Appeal", text.Appeal), ("Contact", text.Contact),
                         })
                {
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        failures.Add($"StopPage:Jurisdictions:{jurisdiction}:Languages:{language}:{field} is empty");
                    }
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
