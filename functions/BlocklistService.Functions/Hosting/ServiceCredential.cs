using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BlocklistService.Functions.Hosting;

/// <summary>
/// The one <see cref="TokenCredential"/> the server uses for Azure (Table and Blob Storage, Key Vault). In Azure,
/// <c>AZURE_CLIENT_ID</c> (set by main.bicep) names the user-assigned managed identity and the credential is exactly
/// that identity, with no probing of other sources during the host's start-up window; elsewhere (a developer
/// pointing at a real account) it is <see cref="DefaultAzureCredential"/>.
/// </summary>
public static class ServiceCredential
{
    public const string ClientIdSetting = "AZURE_CLIENT_ID";

    public static TokenCredential Create(IConfiguration configuration) =>
        configuration[ClientIdSetting] is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();

    /// <summary>Registers the credential unless one is registered already (tests register their own).</summary>
    public static IServiceCollection TryAddServiceCredential(this IServiceCollection services)
    {
        services.TryAddSingleton(provider => Create(provider.GetRequiredService<IConfiguration>()));
        return services;
    }
}
