using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.Publishing;

/// <summary>Publishing settings, bound from the <c>Publishing</c> section and validated at start-up.</summary>
public sealed class PublishingOptions : IValidatableObject
{
    public const string Section = "Publishing";

    /// <summary>
    /// How often the in-process scheduler publishes when the service runs standalone (no
    /// <c>FUNCTIONS_CUSTOMHANDLER_PORT</c>); zero disables it.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A manifest expires this long after it is created.</summary>
    public TimeSpan ManifestLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>When nothing changed for this long, an empty version refreshes the manifest.</summary>
    public TimeSpan RefreshAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>A snapshot at least every this many versions.</summary>
    public int SnapshotEvery { get; set; } = 50;

    /// <summary>Hold a version that changes more than this share of the list.</summary>
    public double HoldShare { get; set; } = 0.10;

    /// <summary>Hold a version that changes more than this many entries.</summary>
    public int HoldChanges { get; set; } = 10_000;

    /// <summary>Versions with at most this many changes are never held.</summary>
    public int HoldMinimumChanges { get; set; } = 100;

    /// <summary>How long the ISP routes reuse a list head they read (zero: read it on every request).</summary>
    public TimeSpan HeadCacheTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long an ISP poll waits for a list head from storage before it is answered from the head this instance last
    /// read (stale-if-error; also at once when storage fails). Keeps polls fast through a storage outage.
    /// </summary>
    public TimeSpan StaleIfErrorAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An ISP's poll is recorded at most this often per key and list, unless its <c>since</c> changes.</summary>
    public TimeSpan PollRecordInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the ISP polls noted in memory are written to the <c>isps</c> table (and always at shutdown); a crash
    /// loses at most this much of them.
    /// </summary>
    public TimeSpan PollFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What ISP clients are told to wait between polls.</summary>
    public int MinimumWaitSeconds { get; set; } = 60;

    /// <summary>How often an instance reads the head of a list that long polls wait on (one read per list, not per waiter).</summary>
    public TimeSpan LongPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An ISP whose applied version is older than the current one for longer than this is flagged in <c>admin/isps</c>.</summary>
    public TimeSpan IspLagAlert { get; set; } = TimeSpan.FromMinutes(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Interval < TimeSpan.Zero)
        {
            yield return new ValidationResult("Publishing:Interval must not be negative (zero disables the local scheduler)", [nameof(Interval)]);
        }

        if (RefreshAfter <= TimeSpan.Zero || ManifestLifetime <= RefreshAfter)
        {
            yield return new ValidationResult("Publishing:ManifestLifetime must be longer than Publishing:RefreshAfter, which must be positive", [nameof(ManifestLifetime), nameof(RefreshAfter)]);
        }

        if (SnapshotEvery < 1)
        {
            yield return new ValidationResult("Publishing:SnapshotEvery must be at least 1", [nameof(SnapshotEvery)]);
        }

        if (HoldShare is <= 0 or > 1 || HoldChanges < 1 || HoldMinimumChanges < 0)
        {
            yield return new ValidationResult("Publishing:HoldShare must be in (0, 1], HoldChanges at least 1, HoldMinimumChanges not negative", [nameof(HoldShare), nameof(HoldChanges), nameof(HoldMinimumChanges)]);
        }

        if (PollFlushInterval <= TimeSpan.Zero || PollFlushInterval > TimeSpan.FromMinutes(10))
        {
            yield return new ValidationResult("Publishing:PollFlushInterval must be between 00:00:00 (exclusive) and 00:10:00", [nameof(PollFlushInterval)]);
        }

        if (LongPollInterval < TimeSpan.FromMilliseconds(100) || LongPollInterval > TimeSpan.FromSeconds(10) || IspLagAlert <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Publishing:LongPollInterval must be between 00:00:00.1 and 00:00:10, Publishing:IspLagAlert positive", [nameof(LongPollInterval), nameof(IspLagAlert)]);
        }

        if (StaleIfErrorAfter <= TimeSpan.Zero || StaleIfErrorAfter > TimeSpan.FromSeconds(5))
        {
            yield return new ValidationResult("Publishing:StaleIfErrorAfter must be between 00:00:00 (exclusive) and 00:00:05 (the request budget)", [nameof(StaleIfErrorAfter)]);
        }

        if (MinimumWaitSeconds < 1)
        {
            yield return new ValidationResult("Publishing:MinimumWaitSeconds must be at least 1", [nameof(MinimumWaitSeconds)]);
        }
    }
}
