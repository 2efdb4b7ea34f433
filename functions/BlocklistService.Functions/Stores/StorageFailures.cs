using Azure;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// Which exceptions mean "storage is unreachable, throttling or too slow right now" (answered 503 with
/// <c>Retry-After</c>, never 500): what the Azure SDK clients throw once their retries and network timeout are spent.
/// </summary>
public static class StorageFailures
{
    /// <summary>Seconds a client is asked to wait before retrying a request that storage could not serve.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>A storage answer that means "not now" rather than "no": timeout, throttling or a server-side failure.</summary>
    public static bool IsUnavailableStatus(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>
    /// True for a <see cref="RequestFailedException"/> without a response (status 0: connection refused, reset, DNS),
    /// a timeout or throttling status (408, 429, 500, 502, 503, 504), and for timeouts and network errors
    /// (<see cref="TimeoutException"/>, <see cref="HttpRequestException"/>, a cancellation that the caller did not
    /// ask for), also when wrapped.
    /// </summary>
    public static bool IsUnavailable(Exception exception, CancellationToken callerToken = default)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RequestFailedException failed when failed.Status == 0 || IsUnavailableStatus(failed.Status):
                    return true;
                case RequestFailedException:
                    return false;
                case TimeoutException or HttpRequestException or System.Net.Sockets.SocketException:
                    return true;
                case OperationCanceledException when !callerToken.IsCancellationRequested:
                    return true;
                case AggregateException aggregate:
                    return aggregate.InnerExceptions.Any(inner => IsUnavailable(inner, callerToken));
            }
        }

        return false;
    }
}
