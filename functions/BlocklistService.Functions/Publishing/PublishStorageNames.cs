using BlocklistService.Functions.Stores;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// The tables and containers the publisher reads and writes, as the stores see them: the names fixed in
/// <see cref="StorageNames"/> (the one place they are spelt), passed around as a value so a caller can be pointed elsewhere.
/// </summary>
public sealed record PublishStorageNames
{
    public string Lists { get; init; } = StorageNames.Lists;
    public string Entries { get; init; } = StorageNames.Entries;
    public string Expiries { get; init; } = StorageNames.Expiries;
    public string Versions { get; init; } = StorageNames.Versions;
    public string Pending { get; init; } = StorageNames.Pending;
    public string Submissions { get; init; } = StorageNames.Submissions;
    public string Publications { get; init; } = StorageNames.Publications;
    public string Holds { get; init; } = StorageNames.Holds;
    public string Isps { get; init; } = StorageNames.Isps;
    public string LogLeaves { get; init; } = StorageNames.LogLeaves;
    public string LogTiles { get; init; } = StorageNames.LogTiles;
    public string LogHead { get; init; } = StorageNames.LogHead;
    public string LogBatches { get; init; } = StorageNames.LogBatches;
    public string LogHistory { get; init; } = StorageNames.LogHistory;
    public string Appeals { get; init; } = StorageNames.Appeals;
    public string ReportMonths { get; init; } = StorageNames.ReportMonths;
    public string ConsoleSessions { get; init; } = StorageNames.ConsoleSessions;
    public string ArtifactsContainer { get; init; } = StorageNames.ArtifactsContainer;
    public string WorkContainer { get; init; } = StorageNames.WorkContainer;
    public string LogContainer { get; init; } = StorageNames.LogContainer;

    /// <summary>Every table name, for creating them.</summary>
    public IEnumerable<string> Tables =>
        [Lists, Entries, Expiries, Versions, Pending, Submissions, Publications, Holds, Isps, LogLeaves, LogTiles, LogHead, LogBatches, LogHistory, Appeals, ReportMonths, ConsoleSessions];

    /// <summary>Every container name.</summary>
    public IEnumerable<string> Containers => [ArtifactsContainer, WorkContainer, LogContainer];
}
