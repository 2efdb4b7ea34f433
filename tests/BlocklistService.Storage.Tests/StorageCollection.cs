using BlocklistService.Testing;

namespace BlocklistService.Storage.Tests;

/// <summary>All Azurite-backed tests share one Azurite; each test uses its own table or container names.</summary>
[CollectionDefinition(Name)]
public sealed class StorageCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "storage";
}
