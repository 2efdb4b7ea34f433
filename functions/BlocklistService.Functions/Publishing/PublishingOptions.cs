namespace BlocklistService.Functions.Publishing;

/// <summary>Publishing settings, bound from the <c>Publishing</c> section.</summary>
public sealed class PublishingOptions
{
    public const string Section = "Publishing";

    /// <summary>NCRONTAB schedule of the Publish timer (six fields, UTC); the local scheduler uses <see cref="Interval"/>.</summary>
    public string Schedule { get; set; } = "0 */1 * * * *";

    /// <summary>How often the in-process scheduler publishes when the service runs standalone; zero disables it.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Run the in-process scheduler (local runs); off when the Functions host invokes Publish.</summary>
    public bool LocalScheduler { get; set; }

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

    /// <summary>What ISP clients are told to wait between polls.</summary>
    public int MinimumWaitSeconds { get; set; } = 60;
}
