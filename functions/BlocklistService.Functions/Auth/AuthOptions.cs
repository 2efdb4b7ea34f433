using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Auth;

/// <summary>API key authentication settings (section <c>Auth</c>).</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    /// <summary>
    /// <c>Auth:KeyCacheTtl</c>: how long an instance reuses a key row it read and validated (zero: read the row on every
    /// request). A revocation holds at once on the instance that served it; other instances see it within this time.
    /// </summary>
    public TimeSpan KeyCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary><c>Auth:KeyCacheSize</c>: most key rows one instance keeps; when full, the cache starts over.</summary>
    [Range(1, 1_000_000)]
    public int KeyCacheSize { get; set; } = 10_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KeyCacheTtl < TimeSpan.Zero || KeyCacheTtl > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult("Auth:KeyCacheTtl must be between 00:00:00 (no cache) and 00:05:00", [nameof(KeyCacheTtl)]);
        }
    }
}
