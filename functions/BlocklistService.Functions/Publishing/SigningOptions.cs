using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Which signer signs artifacts (section <c>Signing</c>): <c>Provider</c> = <c>pem</c> reads a PKCS#8 EC P-256 key from
/// <c>PemPath</c> (development, tools/run); <c>keyvault</c> signs in Azure Key Vault (production), registered by the
/// Key Vault signer's own registration. In the Development environment only, <c>pem</c> without a path signs with an
/// ephemeral key made at start (a warning is logged); anywhere else a missing key fails start-up.
/// </summary>
public sealed class SigningOptions : IValidatableObject
{
    public const string Section = "Signing";
    public const string Pem = "pem";
    public const string KeyVault = "keyvault";

    /// <summary><c>pem</c> or <c>keyvault</c> (case-insensitive).</summary>
    public string Provider { get; set; } = Pem;

    /// <summary>Path of the PEM private key when <see cref="Provider"/> is <c>pem</c>.</summary>
    public string? PemPath { get; set; }

    public bool IsPem => string.Equals(Provider, Pem, StringComparison.OrdinalIgnoreCase);

    public bool IsKeyVault => string.Equals(Provider, KeyVault, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsPem && !IsKeyVault)
        {
            yield return new ValidationResult($"Signing:Provider must be '{Pem}' or '{KeyVault}', not '{Provider}'", [nameof(Provider)]);
        }
        else if (IsPem && !string.IsNullOrWhiteSpace(PemPath) && !File.Exists(PemPath))
        {
            yield return new ValidationResult($"Signing:PemPath must name an existing PEM key file (got '{PemPath}')", [nameof(PemPath)]);
        }
    }
}

/// <summary>Refuses <c>pem</c> without a key file outside the Development environment.</summary>
public sealed class SigningOptionsValidation(IHostEnvironment environment) : Microsoft.Extensions.Options.IValidateOptions<SigningOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, SigningOptions options) =>
        options.IsPem && string.IsNullOrWhiteSpace(options.PemPath) && !environment.IsDevelopment()
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail("Signing:PemPath is required for Signing:Provider=pem outside Development (or use keyvault)")
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
