using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// Where the tables and blobs live (section <c>Storage</c>) and how patiently each caller talks to them. Either a
/// connection string (Azurite, development) or the account's endpoints reached with the service's
/// <see cref="Azure.Core.TokenCredential"/> (the managed identity in Azure).
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary><c>Storage:ConnectionString</c>; wins when set.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// <c>Storage:TableEndpoint</c>: e.g. https://{account}.table.core.windows.net, reached with the service's
    /// credential (<see cref="Hosting.ServiceCredential"/>). Used when no connection string is set.
    /// </summary>
    public Uri? TableEndpoint { get; set; }

    /// <summary><c>Storage:BlobEndpoint</c>: the blob endpoint beside <see cref="TableEndpoint"/>.</summary>
    public Uri? BlobEndpoint { get; set; }

    /// <summary><c>Storage:TablePrefix</c>: prepended to every table and container name (tests isolate themselves with it).</summary>
    [RegularExpression("^[a-z][a-z0-9]{0,20}$|^$")]
    public string TablePrefix { get; set; } = string.Empty;

    /// <summary>
    /// <c>Storage:RequestPath</c>: retries for storage calls made while an HTTP request waits (API keys, the journal,
    /// the ISP and audit reads). A call gives up after at most 1.2 s + 0.2 s + 1.2 s ≈ 2.6 s, inside the 5 s budget a
    /// request has, so a storage outage becomes an answer instead of a hung request.
    /// </summary>
    public StorageRetryOptions RequestPath { get; set; } = StorageRetryOptions.RequestPathDefaults();

    /// <summary>
    /// <c>Storage:Publisher</c>: retries for the publisher (timer, on-demand publish, start-up). Nobody waits on it
    /// interactively and every step is resumable, so it rides out throttling and brief outages instead of failing a cycle.
    /// </summary>
    public StorageRetryOptions Publisher { get; set; } = StorageRetryOptions.PublisherDefaults();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            if (TableEndpoint is null || BlobEndpoint is null)
            {
                yield return new ValidationResult(
                    "set Storage:ConnectionString (development) or both Storage:TableEndpoint and Storage:BlobEndpoint (Azure, managed identity)",
                    [nameof(ConnectionString), nameof(TableEndpoint), nameof(BlobEndpoint)]);
            }
        }

        foreach (var (name, retry) in new[] { (nameof(RequestPath), RequestPath), (nameof(Publisher), Publisher) })
        {
            foreach (var problem in retry.Problems())
            {
                yield return new ValidationResult($"Storage:{name}:{problem.Member}: {problem.Message}", [$"{name}.{problem.Member}"]);
            }
        }
    }
}

/// <summary>
/// The Azure SDK retry policy for one kind of caller: how long one try may wait for the service, how many tries
/// follow a failed one, and the exponential back-off between them (the SDK adds jitter).
/// </summary>
public sealed class StorageRetryOptions
{
    /// <summary>Longest wait for one try's response (the SDK's network timeout).</summary>
    public TimeSpan NetworkTimeout { get; set; }

    /// <summary>Tries after the first one, on timeouts, 408, 429, 5xx and connection failures.</summary>
    public int MaxRetries { get; set; }

    /// <summary>Back-off before the first retry; doubled each time up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan Delay { get; set; }

    public TimeSpan MaxDelay { get; set; }

    /// <summary>
    /// Request path: short tries, one quick retry (worst case ≈ 2.6 s per call), so that a request whose first storage
    /// call fails and whose second is already under way still answers inside the 5 s budget.
    /// </summary>
    public static StorageRetryOptions RequestPathDefaults() => new()
    {
        NetworkTimeout = TimeSpan.FromSeconds(1.2),
        MaxRetries = 1,
        Delay = TimeSpan.FromMilliseconds(200),
        MaxDelay = TimeSpan.FromMilliseconds(200),
    };

    /// <summary>Publisher: generous tries, five retries backing off from 1 s to 30 s.</summary>
    public static StorageRetryOptions PublisherDefaults() => new()
    {
        NetworkTimeout = TimeSpan.FromSeconds(30),
        MaxRetries = 5,
        Delay = TimeSpan.FromSeconds(1),
        MaxDelay = TimeSpan.FromSeconds(30),
    };

    /// <summary>Worst-case time one storage call can take: every try timing out, every back-off at its longest.</summary>
    public TimeSpan WorstCase()
    {
        var total = NetworkTimeout * (MaxRetries + 1);
        var delay = Delay;
        for (var retry = 0; retry < MaxRetries; retry++)
        {
            total += delay < MaxDelay ? delay : MaxDelay;
            delay *= 2;
        }

        return total;
    }

    internal IEnumerable<(string Member, string Message)> Problems()
    {
        if (NetworkTimeout <= TimeSpan.Zero || NetworkTimeout > TimeSpan.FromMinutes(5))
        {
            yield return (nameof(NetworkTimeout), "must be more than 0 and at most 00:05:00");
        }

        if (MaxRetries is < 0 or > 10)
        {
            yield return (nameof(MaxRetries), "must be between 0 and 10");
        }

        if (Delay < TimeSpan.Zero || MaxDelay < Delay)
        {
            yield return (nameof(MaxDelay), "Delay must be at least 0 and MaxDelay at least Delay");
        }
    }
}
