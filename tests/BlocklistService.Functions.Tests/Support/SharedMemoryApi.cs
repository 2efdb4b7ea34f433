namespace BlocklistService.Functions.Tests.Support;

/// <summary>
/// One server on the memory stores for a whole test class (its <see cref="IClassFixture{TFixture}"/>), for classes
/// whose cases need no fresh state: each works under names of its own (keys, organisations, idempotency keys, URLs)
/// and xunit runs a class's cases one at a time. The local publish scheduler is off, so nothing changes the stores
/// between a case's request and its assertions; a subclass names the settings.
/// </summary>
public abstract class SharedMemoryApi(IReadOnlyDictionary<string, string?> settings) : IAsyncLifetime
{
    public ApiFactory Api { get; } = ApiFactory.OnMemoryStores(new Dictionary<string, string?>(settings) { ["Publishing:Interval"] = "00:00:00" });

    /// <summary>Starts the server (and waits for its storage preparation) before the first case.</summary>
    public virtual Task InitializeAsync()
    {
        _ = Api.Services;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Api.DisposeAsync();
}
