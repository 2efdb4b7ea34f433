using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Ingest;

/// <summary>Limits and safeguards of <c>POST /api/v1/submissions</c> (section <c>Ingest</c>).</summary>
public sealed class IngestOptions : IValidatableObject
{
    public const string Section = "Ingest";

    /// <summary>The canonicalizer refuses longer URLs whatever this option says.</summary>
    public const int CanonicalUrlLimit = BlocklistService.Domain.Urls.CanonicalUrl.MaxWebUrlLength;

    /// <summary><c>Ingest:MaxItems</c>: items per submission.</summary>
    [Range(1, 100_000)]
    public int MaxItems { get; set; } = 10_000;

    /// <summary><c>Ingest:MaxRequestBytes</c>: largest accepted request body.</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary><c>Ingest:MaxUrlLength</c>: longest accepted URL, in characters.</summary>
    [Range(16, CanonicalUrlLimit)]
    public int MaxUrlLength { get; set; } = 2048;

    /// <summary><c>Ingest:ReviewAfter</c>: default review-by = verifiedAt + this (proportionality: entries expire).</summary>
    public TimeSpan ReviewAfter { get; set; } = TimeSpan.FromDays(90);

    /// <summary><c>Ingest:MaxReviewAfter</c>: a submitted review-by may be at most this long after verifiedAt.</summary>
    public TimeSpan MaxReviewAfter { get; set; } = TimeSpan.FromDays(366);

    /// <summary><c>Ingest:Categories</c>: the only categories an entry may carry (fixed scope). Default <c>csam</c>.</summary>
    public string[]? Categories { get; set; }

    /// <summary><c>Ingest:MinimumVerifiers</c>: distinct analyst ids an added item must name (two-person rule).</summary>
    [Range(1, 10)]
    public int MinimumVerifiers { get; set; } = 2;

    /// <summary><c>Ingest:MinimumVerifiersByHotline:{organisation}</c>: per-hotline override of <see cref="MinimumVerifiers"/>.</summary>
    public Dictionary<string, int> MinimumVerifiersByHotline { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// <c>Ingest:ProtectedHosts</c>: hosts (and their subdomains) that may never be listed whole; narrower entries are
    /// held for admin approval. They extend the curated default list (<c>Ingest/protected-hosts.txt</c>) unless
    /// <see cref="UseDefaultProtectedHosts"/> is false.
    /// </summary>
    public string[]? ProtectedHosts { get; set; }

    /// <summary><c>Ingest:UseDefaultProtectedHosts</c>: start from the curated default list (default true).</summary>
    public bool UseDefaultProtectedHosts { get; set; } = true;

    /// <summary>How far in the future a <c>verifiedAt</c> may lie (clock skew between hotline and service).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    public IReadOnlyList<string> EffectiveCategories => Categories is { Length: > 0 } ? Categories : ["csam"];

    /// <summary>The protected hosts in force: the curated defaults (unless turned off) and the configured ones.</summary>
    public Domain.Entries.ProtectedHosts BuildProtectedHosts() =>
        new((UseDefaultProtectedHosts ? DefaultProtectedHosts.Load() : []).Concat(ProtectedHosts ?? []));

    public int MinimumVerifiersFor(string hotline) =>
        MinimumVerifiersByHotline.TryGetValue(hotline, out var count) ? count : MinimumVerifiers;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ReviewAfter <= TimeSpan.Zero || ReviewAfter > MaxReviewAfter)
        {
            yield return new ValidationResult("Ingest:ReviewAfter must be positive and at most Ingest:MaxReviewAfter", [nameof(ReviewAfter)]);
        }

        if (EffectiveCategories.Any(c => c.Length is 0 or > 64 || !c.All(ch => char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) || ch == '-')))
        {
            yield return new ValidationResult("Ingest:Categories entries must be [a-z0-9-]{1,64}", [nameof(Categories)]);
        }

        if ((ProtectedHosts ?? []).Any(h => Domain.Entries.ProtectedHosts.Normalize(h) is var host && (host.Length is 0 or > 253 || !host.Contains('.') ||
                !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))))
        {
            yield return new ValidationResult("Ingest:ProtectedHosts entries must be host names such as example.org", [nameof(ProtectedHosts)]);
        }

        if (MinimumVerifiersByHotline.Values.Any(v => v is < 1 or > 10))
        {
            yield return new ValidationResult("Ingest:MinimumVerifiersByHotline values must be 1..10", [nameof(MinimumVerifiersByHotline)]);
        }
    }
}
