using Azure.Core;

namespace BlocklistService.Storage.Tables;

/// <summary>
/// Options for <see cref="TableServiceClient"/> and <see cref="TableClient"/>: the pinned service version and the
/// retry policy (exponential back-off on 408, 429, 500, 502, 503 and 504, Azure.Core's retriable statuses).
/// </summary>
public sealed class TableClientOptions : ClientOptions
{
    public enum ServiceVersion
    {
        /// <summary>2019-02-02, the version Azure.Data.Tables speaks and Azurite accepts.</summary>
        V2019_02_02 = 1,
    }

    public TableClientOptions(ServiceVersion version = ServiceVersion.V2019_02_02)
    {
        Version = version switch
        {
            ServiceVersion.V2019_02_02 => "2019-02-02",
            _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Unknown Table service version."),
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
