using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Redress;

/// <summary>Limits of the appeal routes (section <c>Appeals</c>).</summary>
public sealed class AppealOptions
{
    public const string Section = "Appeals";

    /// <summary><c>Appeals:MaxUrlLength</c>: longest URL, in characters.</summary>
    [Range(16, BlocklistService.Domain.Urls.CanonicalUrl.MaxWebUrlLength)]
    public int MaxUrlLength { get; set; } = 2048;

    /// <summary><c>Appeals:MaxContactLength</c>: longest contact (an e-mail address or postal address).</summary>
    [Range(3, 1000)]
    public int MaxContactLength { get; set; } = 320;

    /// <summary><c>Appeals:MaxStatementLength</c>: longest statement, in characters.</summary>
    [Range(10, 20_000)]
    public int MaxStatementLength { get; set; } = 5000;

    /// <summary><c>Appeals:PermitsPerWindow</c>: appeals one client address may file per window (also the burst).</summary>
    [Range(1, 10_000)]
    public int PermitsPerWindow { get; set; } = 5;

    /// <summary><c>Appeals:Window</c>: the refill period of the per-address limit.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// <c>Appeals:ClientAddressHeader</c>: a header whose last entry is the client address, set by a trusted front end
    /// (e.g. <c>X-Forwarded-For</c> behind the Functions host); empty: the connection's remote address.
    /// </summary>
    public string? ClientAddressHeader { get; set; }

    /// <summary><c>Appeals:StaleAfter</c>: an open appeal older than this is flagged stale in admin views.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromDays(14);

    /// <summary><c>Appeals:MaxAnalystLength</c>: longest analyst id in a decision.</summary>
    [Range(1, 200)]
    public int MaxAnalystLength { get; set; } = 100;
}
