using Azure.Core;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Hosting;

namespace BlocklistService.Functions.Signing;

/// <summary>
/// Chooses the artifact signer from configuration: <c>Signing:Provider</c> = <c>KeyVault</c> selects
/// <see cref="KeyVaultArtifactSigner"/> (production; main.bicep sets it); anything else leaves the choice to the
/// local signer's registration.
/// </summary>
public static class KeyVaultSigningRegistration
{
    /// <summary>Configuration key that names the signer.</summary>
    public const string ProviderKey = "Signing:Provider";

    /// <summary>The <see cref="ProviderKey"/> value that selects Key Vault.</summary>
    public const string KeyVaultProvider = "KeyVault";

    /// <summary>True when configuration selects the Key Vault signer.</summary>
    public static bool IsSelected(IConfiguration configuration) =>
        string.Equals(configuration[ProviderKey], KeyVaultProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The rotation ring for Key Vault: one signer per <c>Signing:Keys:N</c> entry, each bound to its fixed key
    /// version (<c>KeyVersion</c>, key name from the entry or <c>Signing:KeyVault:KeyName</c>), in configured order.
    /// </summary>
    public static async Task<SigningKeyRing> CreateKeyRingAsync(
        KeyVaultSigningOptions vault,
        Publishing.SigningOptions signing,
        TokenCredential credential,
        KeyVaultSigningClientOptions? clientOptions,
        CancellationToken cancellationToken)
    {
        var keys = new List<SigningKey>();
        foreach (var entry in signing.Keys)
        {
            var options = new KeyVaultSigningOptions
            {
                VaultUri = vault.VaultUri,
                KeyName = string.IsNullOrWhiteSpace(entry.KeyName) ? vault.KeyName : entry.KeyName,
                KeyVersion = entry.KeyVersion,
            };
            var signer = await KeyVaultArtifactSigner.CreateAsync(options, credential, clientOptions, cancellationToken);
            keys.Add(new SigningKey(signer, entry.ActiveFrom ?? DateTimeOffset.UnixEpoch, entry.RetiredAt));
        }

        return new SigningKeyRing(keys);
    }

    /// <summary>
    /// When <see cref="IsSelected"/>, registers <see cref="IArtifactSigner"/> as a <see cref="KeyVaultArtifactSigner"/>
    /// (its options validated at start-up) and, unless one is registered, the service's <see cref="TokenCredential"/>
    /// (<see cref="ServiceCredential"/>). Returns whether it registered.
    /// </summary>
    public static bool AddKeyVaultArtifactSignerIfSelected(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsSelected(configuration))
        {
            return false;
        }

        services.AddOptions<KeyVaultSigningOptions>()
            .Bind(configuration.GetSection(KeyVaultSigningOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddServiceCredential();
        services.AddSingleton<IArtifactSigner>(provider =>
        {
            var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<KeyVaultSigningOptions>>().Value;
            var credential = provider.GetRequiredService<TokenCredential>();
            // The public key is read once, when the signer is first resolved; a container factory cannot await.
            return KeyVaultArtifactSigner.CreateAsync(options, credential, null, CancellationToken.None).GetAwaiter().GetResult();
        });
        // The ring: one Key Vault signer per Signing:Keys entry when rotation is configured, else the one signer above.
        services.AddSingleton(provider =>
        {
            var signing = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Publishing.SigningOptions>>().Value;
            return signing.Keys.Count == 0
                ? SigningKeyRing.Single(provider.GetRequiredService<IArtifactSigner>())
                : CreateKeyRingAsync(
                    provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<KeyVaultSigningOptions>>().Value,
                    signing,
                    provider.GetRequiredService<TokenCredential>(),
                    null,
                    CancellationToken.None).GetAwaiter().GetResult();
        });

        return true;
    }
}
