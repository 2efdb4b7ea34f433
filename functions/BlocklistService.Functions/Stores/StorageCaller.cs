namespace BlocklistService.Functions.Stores;

/// <summary>Who is calling storage, which decides how long a call may take (<see cref="StorageOptions"/>).</summary>
public enum StorageCaller
{
    /// <summary>An HTTP request is waiting: fail fast.</summary>
    RequestPath,

    /// <summary>The publisher and start-up: nobody waits interactively; ride out throttling.</summary>
    Publisher,
}
