using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Signing;

/// <summary>
/// Where the artifact signing key lives in Azure Key Vault. Bound from <c>Signing:KeyVault</c>
/// (app settings <c>Signing__KeyVault__VaultUri</c>, <c>Signing__KeyVault__KeyName</c>), used when
/// <c>Signing:Provider</c> is <c>KeyVault</c>.
/// </summary>
public sealed class KeyVaultSigningOptions
{
    public const string Section = "Signing:KeyVault";

    /// <summary>The vault, e.g. <c>https://kv-bl-prod.vault.azure.net/</c>.</summary>
    [Required]
    public Uri? VaultUri { get; set; }

    /// <summary>Name of the EC P-256 key.</summary>
    [Required]
    public string KeyName { get; set; } = string.Empty;

    /// <summary>
    /// A fixed key version; when empty the current version is read once at start-up and then pinned,
    /// so the key id the service announces always matches the key that signs.
    /// </summary>
    public string? KeyVersion { get; set; }
}
