using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Which signer signs artifacts (section <c>Signing</c>): <c>Provider</c> = <c>pem</c> reads a PKCS#8 EC P-256 key from
/// <c>PemPath</c> (development, tools/run); <c>keyvault</c> signs in Azure Key Vault (production), registered by the
/// Key Vault signer's own registration. In the Development environment only, <c>pem</c> without a path signs with an
/// ephemeral key made at start (a warning is logged); anywhere else a missing key fails start-up.
/// Key rotation: <c>Keys</c> lists every signing key in the order they take over (<c>Signing:Keys:0:PemPath</c>,
/// <c>Signing:Keys:1:PemPath</c> + <c>Signing:Keys:1:ActiveFrom</c>; for Key Vault <c>KeyVersion</c> instead of
/// <c>PemPath</c>). When <c>Keys</c> is empty the single key above signs from the Unix epoch on.
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

    /// <summary>Every signing key, oldest first (docs/operations.md, "Rotating the signing key"); empty: the single key above.</summary>
    public List<SigningKeyOptions> Keys { get; set; } = [];

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

        for (var i = 0; i < Keys.Count; i++)
        {
            var key = Keys[i];
            if (IsPem && (string.IsNullOrWhiteSpace(key.PemPath) || !File.Exists(key.PemPath)))
            {
                yield return new ValidationResult($"Signing:Keys:{i}:PemPath must name an existing PEM key file (got '{key.PemPath}')", [nameof(Keys)]);
            }

            if (IsKeyVault && string.IsNullOrWhiteSpace(key.KeyVersion))
            {
                yield return new ValidationResult($"Signing:Keys:{i}:KeyVersion is required: each rotated key is a fixed Key Vault key version", [nameof(Keys)]);
            }

            if (i > 0 && key.ActiveFrom is null)
            {
                yield return new ValidationResult($"Signing:Keys:{i}:ActiveFrom is required: the moment (UTC) from which the key signs", [nameof(Keys)]);
            }

            if (i > 0 && key.ActiveFrom < (Keys[i - 1].ActiveFrom ?? DateTimeOffset.UnixEpoch))
            {
                yield return new ValidationResult($"Signing:Keys:{i}:ActiveFrom must not be before Signing:Keys:{i - 1}:ActiveFrom (list keys in the order they take over)", [nameof(Keys)]);
            }

            if (key.RetiredAt is { } retired && retired <= (key.ActiveFrom ?? DateTimeOffset.UnixEpoch))
            {
                yield return new ValidationResult($"Signing:Keys:{i}:RetiredAt must be later than its ActiveFrom", [nameof(Keys)]);
            }
        }
    }
}

/// <summary>One entry of <c>Signing:Keys</c>: where the key is and when it signs.</summary>
public sealed class SigningKeyOptions
{
    /// <summary>PEM private key file (<c>pem</c> provider).</summary>
    public string? PemPath { get; set; }

    /// <summary>Key Vault key version (<c>keyvault</c> provider; the key name is <c>Signing:KeyVault:KeyName</c> unless <see cref="KeyName"/> is set).</summary>
    public string? KeyVersion { get; set; }

    /// <summary>Key Vault key name when it differs from <c>Signing:KeyVault:KeyName</c>.</summary>
    public string? KeyName { get; set; }

    /// <summary>From when (UTC) the key signs; the first key defaults to the Unix epoch, later keys must set it.</summary>
    public DateTimeOffset? ActiveFrom { get; set; }

    /// <summary>From when the key no longer signs (optional; e.g. a compromised key).</summary>
    public DateTimeOffset? RetiredAt { get; set; }
}

/// <summary>Refuses <c>pem</c> without a key file outside the Development environment.</summary>
public sealed class SigningOptionsValidation(IHostEnvironment environment) : Microsoft.Extensions.Options.IValidateOptions<SigningOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, SigningOptions options) =>
        options.IsPem && string.IsNullOrWhiteSpace(options.PemPath) && options.Keys.Count == 0 && !environment.IsDevelopment()
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail("Signing:PemPath is required for Signing:Provider=pem outside Development (or use keyvault)")
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
