using System.Diagnostics;
using Azure;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Hosting;

/// <summary>
/// Runs the <see cref="IStartupStep"/>s after Kestrel listens, so the Functions host's readiness probe is answered at
/// once even when storage is slow or refuses us (on a first deployment the role assignments may not have propagated:
/// 403). A failed attempt is logged with its cause and retried with doubling back-off; the server never stops because
/// storage is not there yet. A configuration that contradicts what is stored (another first signing key than the one
/// clients already follow, a malformed <c>Bootstrap:AdminKey</c>) cannot be retried away: the server stops, as a failed
/// start-up did before.
/// </summary>
public sealed class StorageInitializer(
    IEnumerable<IStartupStep> steps,
    StorageStartup readiness,
    IOptions<StartupOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<StorageInitializer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Leave the host's start-up path at once: Kestrel must not wait for storage.
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        var delay = options.Value.FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var step = "(none)";
            try
            {
                foreach (var next in steps)
                {
                    step = next.GetType().Name;
                    await next.RunAsync(stoppingToken);
                }

                readiness.MarkReady();
                logger.LogInformation("Storage ready after {Attempts} attempt(s) in {Seconds:F1} s", attempt, Stopwatch.GetElapsedTime(started).TotalSeconds);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (InvalidOperationException e)
            {
                // The service's own configuration checks: the message names settings and key ids, never secrets.
                logger.LogCritical("Start-up step {Step} refused the configuration; stopping: {Reason}", step, e.Message);
                readiness.Fail(e);
                // Stopping while the host is still starting races its start-up (services disposed under it): stop once started.
                lifetime.ApplicationStarted.Register(lifetime.StopApplication);
                return;
            }
            catch (Exception e)
            {
                readiness.NextAttemptAt(time.GetUtcNow() + delay);
                // Status and error code only: exception messages of storage clients can carry request details.
                var (status, code) = e is RequestFailedException failed ? (failed.Status, failed.ErrorCode ?? "-") : (0, "-");
                logger.LogWarning(
                    "Storage not ready: start-up step {Step} failed on attempt {Attempt} ({ExceptionType}, status {Status}, code {ErrorCode}); requests that need storage get 503 until it succeeds; retrying in {DelaySeconds:F0} s",
                    step, attempt, e.GetType().Name, status, code, delay.TotalSeconds);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxRetryDelay.Ticks));
        }
    }
}
