namespace BlocklistService.Functions.Hosting;

/// <summary>
/// One idempotent piece of storage preparation (tables, containers, lists, bootstrap keys, the key set chain). The
/// <see cref="StorageInitializer"/> runs every step in registration order, and all of them again after a failure.
/// </summary>
public interface IStartupStep
{
    Task RunAsync(CancellationToken cancellationToken);
}
