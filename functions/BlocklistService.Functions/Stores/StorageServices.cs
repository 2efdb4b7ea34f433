using Azure.Core;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Publishing;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// Registers storage once for the whole server: <see cref="StorageOptions"/> (validated at start-up), the service
/// credential, and the two views of the one account — the request path's (unkeyed <see cref="PublishStorage"/>,
/// <see cref="IRowStore"/>, <see cref="IBlobStore"/>) and the publisher's (keyed <see cref="StorageCaller.Publisher"/>).
/// Safe to call more than once; tests replace any of these before or after.
/// </summary>
public static class StorageServices
{
    public static IServiceCollection AddBlocklistStorage(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(StorageRegistered)))
        {
            return services;
        }

        services.AddSingleton<StorageRegistered>();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddServiceCredential();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StorageOutageSignal>();
        services.TryAddSingleton(provider => Create(provider, StorageCaller.RequestPath));
        services.TryAddKeyedSingleton(StorageCaller.Publisher, (provider, _) => Create(provider, StorageCaller.Publisher));
        services.TryAddSingleton(provider => provider.GetRequiredService<PublishStorage>().Rows);
        services.TryAddSingleton(provider => provider.GetRequiredService<PublishStorage>().Blobs);
        return services;
    }

    /// <summary>The publisher's storage: the same account through clients with the publisher's retry policy.</summary>
    public static PublishStorage PublisherStorage(this IServiceProvider provider) =>
        provider.GetRequiredKeyedService<PublishStorage>(StorageCaller.Publisher);

    // Azure: the service's managed identity (ServiceCredential), the same credential the signer uses.
    private static PublishStorage Create(IServiceProvider provider, StorageCaller caller) =>
        PublishStorage.FromOptions(provider.GetRequiredService<IOptions<StorageOptions>>().Value, caller, provider.GetRequiredService<TokenCredential>,
            caller == StorageCaller.RequestPath ? provider.GetRequiredService<StorageOutageSignal>() : null);

    /// <summary>Marks the collection as done, so a second call registers nothing twice.</summary>
    private sealed class StorageRegistered;
}
