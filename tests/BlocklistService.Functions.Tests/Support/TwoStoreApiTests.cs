using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Support;

/// <summary>
/// HTTP tests that run twice, on the in-memory stores and on Azurite, so both backends of the storage seam answer the
/// API alike: a concrete subclass passes the Azurite fixture (as its <see cref="IClassFixture{TFixture}"/>) or null.
/// </summary>
public abstract class TwoStoreApiTests(AzuriteFixture? azurite)
{
    /// <summary>The server under test, with the publisher (<see cref="PublishApi"/>), on the stores of the concrete class.</summary>
    protected ApiFactory StartApi(IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null) =>
        azurite is null ? PublishApi.OnMemoryStores(extra, services) : PublishApi.Create(azurite.ConnectionString, extra, services);
}
