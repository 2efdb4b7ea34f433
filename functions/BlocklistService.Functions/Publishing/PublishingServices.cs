using Azure.Core;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Hosting;
using BlocklistService.Functions.Signing;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Publishing;

/// <summary>Registers the publisher: options, storage, signer, runner, the read side for the ISP routes and the local scheduler.</summary>
public static class PublishingServices
{
    public static IServiceCollection AddPublishing(this IServiceCollection services)
    {
        services.AddOptions<PublishingOptions>().BindConfiguration(PublishingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SigningOptions>().BindConfiguration(SigningOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SigningOptions>, SigningOptionsValidation>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new PublishStorageNames());
        services.AddBlocklistStorage();

        // The signer switch: 'keyvault' is registered by the Key Vault signer's registration
        // (AddKeyVaultArtifactSignerIfSelected), called before this method; otherwise the PEM signer here.
        services.TryAddSingleton<IArtifactSigner>(provider =>
            {
                var signing = provider.GetRequiredService<IOptions<SigningOptions>>().Value;
                if (!signing.IsPem)
                {
                    throw new InvalidOperationException($"Signing:Provider is '{signing.Provider}' but no such signer is registered");
                }

                var path = signing.PemPath;
                if (string.IsNullOrWhiteSpace(path))
                {
                    var ephemeral = PemArtifactSigner.Generate();
                    provider.GetRequiredService<ILogger<PublishRunner>>().LogWarning(
                        "Signing:PemPath is not set: signing with an ephemeral development key {KeyId}; nothing it signs survives a restart", ephemeral.KeyId);
                    return ephemeral;
                }

                var signer = PemArtifactSigner.FromPem(File.ReadAllText(path));
                return signer.IsSuccess ? signer.Value : throw new InvalidOperationException($"Signing:PemPath '{path}': {signer.Error}");
            });

        services.TryAddSingleton(CreateKeyRing);
        // The publisher's own clients: longer tries and more retries than the request path's (StorageOptions).
        services.TryAddSingleton(provider => new KeySetPublisher(
            provider.PublisherStorage().Blobs,
            provider.GetRequiredService<SigningKeyRing>(),
            provider.GetRequiredService<PublishStorageNames>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<KeySetPublisher>>()));
        services.TryAddSingleton(provider => new PublishRunner(
            provider.PublisherStorage().Rows,
            provider.PublisherStorage().Blobs,
            provider.GetRequiredService<SigningKeyRing>(),
            provider.GetRequiredService<IOptions<PublishingOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<PublishRunner>>(),
            provider.GetRequiredService<PublishStorageNames>(),
            faults: null,
            metrics: provider.GetService<BlocklistMetrics>())
        {
            Report = provider.GetRequiredService<Redress.ReportAggregates>(),
        });
        services.TryAddSingleton<Redress.ReportAggregates>();
        services.TryAddSingleton<ListReader>();
        services.TryAddSingleton<PublishTimerClock>();
        services.TryAddSingleton<ListOverview>();
        services.TryAddSingleton<HoldDesk>();
        services.TryAddSingleton<ListReverter>();
        services.TryAddSingleton<Decisions.DecisionLog>();
        services.TryAddSingleton<IspTracker>();
        services.AddHostedService<IspPollFlusher>();
        services.TryAddSingleton<HeadNotifier>();
        services.AddHostedService(provider => provider.GetRequiredService<HeadNotifier>());
        services.AddStartupStep<PublishStorageStartup>();
        services.AddStartupStep<ProtectedHostSweep>();
        services.AddHostedService<LocalPublishScheduler>();

        return services;
    }

    /// <summary>
    /// The signing keys: <c>Signing:Keys</c> PEM files in order when configured (key rotation), otherwise the one
    /// <see cref="IArtifactSigner"/> (the single PEM key, or the Key Vault key), signing from the Unix epoch on.
    /// </summary>
    private static SigningKeyRing CreateKeyRing(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<SigningOptions>>().Value;
        if (!options.IsPem || options.Keys.Count == 0)
        {
            return new SigningKeyRing([new SigningKey(provider.GetRequiredService<IArtifactSigner>(), DateTimeOffset.UnixEpoch)])
            {
                IsEphemeral = options.IsPem && string.IsNullOrWhiteSpace(options.PemPath),
            };
        }

        var keys = new List<SigningKey>();
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var entry = options.Keys[i];
            var signer = PemArtifactSigner.FromPem(File.ReadAllText(entry.PemPath!));
            keys.Add(new SigningKey(
                signer.IsSuccess ? signer.Value : throw new InvalidOperationException($"Signing:Keys:{i}:PemPath '{entry.PemPath}': {signer.Error}"),
                entry.ActiveFrom ?? DateTimeOffset.UnixEpoch,
                entry.RetiredAt));
        }

        return new SigningKeyRing(keys);
    }
}

/// <summary>
/// Creates the publisher's tables and containers and publishes the key set chain, in the background after the server
/// listens (<see cref="StorageInitializer"/>). The key set is resolved here, not in the constructor, because with Key
/// Vault resolving the key ring is itself a network call.
/// </summary>
public sealed class PublishStorageStartup(
    [FromKeyedServices(StorageCaller.Publisher)] PublishStorage storage, PublishStorageNames names, IServiceProvider services) : IStartupStep
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await storage.CreateAsync(names, cancellationToken);
        await services.GetRequiredService<KeySetPublisher>().EnsurePublishedAsync(cancellationToken);
    }
}

/// <summary>
/// Plays the Publish timer when the server runs standalone: one <see cref="PublishRunner.RunOnceAsync"/> every
/// <see cref="PublishingOptions.Interval"/> (zero: off). Off under the Functions host, whose timer publishes. A failed
/// cycle is logged; the next one resumes it.
/// </summary>
public sealed class LocalPublishScheduler(
    PublishRunner runner, IOptions<PublishingOptions> options, IOptions<FunctionsHostOptions> host, TimeProvider time, PublishTimerClock clock,
    ILogger<LocalPublishScheduler> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Interval;
        if (interval <= TimeSpan.Zero || host.Value.HostedByFunctions)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        clock.LocalTickAt(time.GetUtcNow() + interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            clock.LocalTickAt(time.GetUtcNow() + interval);
            try
            {
                var results = await runner.RunOnceAsync(stoppingToken);
                foreach (var result in results.Where(r => r.Outcome != ListPublishOutcome.NothingPending))
                {
                    logger.LogInformation("Scheduled publish: {List} {Outcome} version {Version}", result.List, result.Outcome, result.Version);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Scheduled publish failed; the next cycle resumes it");
            }
        }
    }
}
