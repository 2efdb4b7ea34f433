using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Writes the ISP polls <see cref="IspTracker"/> noted, every <see cref="PublishingOptions.PollFlushInterval"/> and once
/// more when the server stops, so a graceful shutdown loses none. A failed write is logged and retried next time.
/// </summary>
public sealed class IspPollFlusher(IspTracker tracker, IOptions<PublishingOptions> options, TimeProvider time, ILogger<IspPollFlusher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.PollFlushInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await FlushAsync(stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tracker.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Could not record ISP polls ({Pending} pending); retrying at the next flush", tracker.PendingCount);
        }
    }
}
