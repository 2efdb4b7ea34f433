using Azure.Core;

namespace BlocklistService.Storage.Blobs;

/// <summary>
/// Options for the blob clients: the pinned service version and the retry policy (exponential back-off on 408,
/// 429, 500, 502, 503 and 504).
/// </summary>
public sealed class BlobClientOptions : ClientOptions
{
    public enum ServiceVersion
    {
        /// <summary>2025-01-05, accepted by Azure Storage and Azurite 3.37.</summary>
        V2025_01_05 = 1,
    }

    public BlobClientOptions(ServiceVersion version = ServiceVersion.V2025_01_05)
    {
        Version = version switch
        {
            ServiceVersion.V2025_01_05 => "2025-01-05",
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown Blob service version."),
        };
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 5;
        Retry.Delay = TimeSpan.FromMilliseconds(800);
        Retry.MaxDelay = TimeSpan.FromSeconds(30);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(100);
    }

    /// <summary>The <c>x-ms-version</c> header sent with every request.</summary>
    public string Version { get; }

    /// <summary>The clock for <c>x-ms-date</c> on Shared Key requests.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
