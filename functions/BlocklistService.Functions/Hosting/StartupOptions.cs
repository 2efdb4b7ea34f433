using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Hosting;

/// <summary>
/// How the server prepares storage after it starts listening (section <c>Startup</c>). Flex Consumption gives a new
/// instance about 30 s to answer its readiness probe, so creating tables and containers and publishing the key set run
/// in the background, retried with back-off, while requests that need storage get 503 + <c>Retry-After</c>.
/// </summary>
public sealed class StartupOptions : IValidatableObject
{
    public const string Section = "Startup";

    /// <summary><c>Startup:RequestWait</c>: how long a request that needs storage waits for it to become ready before the 503.</summary>
    public TimeSpan RequestWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>Startup:FirstRetryDelay</c>: the wait after the first failed attempt; it doubles per attempt.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary><c>Startup:MaxRetryDelay</c>: the longest wait between attempts (role assignments can take minutes to apply).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequestWait < TimeSpan.Zero || RequestWait > TimeSpan.FromSeconds(30))
        {
            yield return new ValidationResult("Startup:RequestWait must be between 0 and 30 seconds", [nameof(RequestWait)]);
        }

        if (FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay || MaxRetryDelay > TimeSpan.FromMinutes(10))
        {
            yield return new ValidationResult("Startup:FirstRetryDelay must be positive and at most Startup:MaxRetryDelay (at most 10 minutes)",
                [nameof(FirstRetryDelay), nameof(MaxRetryDelay)]);
        }
    }
}
