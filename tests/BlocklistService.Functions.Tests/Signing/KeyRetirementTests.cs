using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Signing;
using BlocklistService.Functions.Tests.Publishing;
using Microsoft.Extensions.Logging;

namespace BlocklistService.Functions.Tests.Signing;

/// <summary>
/// Retiring a key whose key set is already published: the service honours it for what it signs, and start-up warns
/// that clients only learn the retirement from the next key set instead of silently ignoring it.
/// </summary>
public sealed class KeyRetirementTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Switch = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Retired = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly PemArtifactSigner _key1 = PemArtifactSigner.Generate();
    private readonly PemArtifactSigner _key2 = PemArtifactSigner.Generate();
    private readonly MemoryBlobStore _blobs = new();

    [Fact]
    public async Task A_retirement_configured_after_publication_is_enforced_locally_and_warned_about()
    {
        var names = new PublishStorageNames();
        var published = new SigningKeyRing([new SigningKey(_key1, DateTimeOffset.UnixEpoch), new SigningKey(_key2, Switch)]);
        await new KeySetPublisher(_blobs, published, names, new ManualTime(Start)).EnsurePublishedAsync(CancellationToken.None);

        // Later the operator retires the superseded key 1 (its private key is to be destroyed) without adding a key 3.
        var retiring = new SigningKeyRing([new SigningKey(_key1, DateTimeOffset.UnixEpoch, Retired), new SigningKey(_key2, Switch)]);
        var logger = new RecordingLogger();
        var current = await new KeySetPublisher(_blobs, retiring, names, new ManualTime(Retired), logger).EnsurePublishedAsync(CancellationToken.None);

        Assert.Null(KeySet.FromJson(current.Document).Value.Keys.Single(k => k.KeyId == _key1.KeyId).RetiredAt);
        var warning = Assert.Single(logger.Warnings);
        Assert.Contains(_key1.KeyId, warning, StringComparison.Ordinal);
        Assert.Contains("next key set", warning, StringComparison.Ordinal);
        Assert.Same(_key1, retiring.ActiveAt(Start));
        Assert.Same(_key2, retiring.ActiveAt(Retired));
    }

    [Fact]
    public async Task A_chain_that_announces_every_configured_retirement_starts_without_warnings()
    {
        var ring = new SigningKeyRing([new SigningKey(_key1, DateTimeOffset.UnixEpoch, Switch), new SigningKey(_key2, Switch)]);
        var logger = new RecordingLogger();

        await new KeySetPublisher(_blobs, ring, new PublishStorageNames(), new ManualTime(Start), logger).EnsurePublishedAsync(CancellationToken.None);

        Assert.Empty(logger.Warnings);
    }

    public void Dispose()
    {
        _key1.Dispose();
        _key2.Dispose();
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
