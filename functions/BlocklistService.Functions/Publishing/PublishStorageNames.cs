namespace BlocklistService.Functions.Publishing;

/// <summary>The tables and containers the publisher reads and writes (docs/architecture.md, "Tables and containers").</summary>
public sealed record PublishStorageNames
{
    public string Lists { get; init; } = "lists";
    public string Entries { get; init; } = "entries";
    public string Expiries { get; init; } = "expiries";
    public string Versions { get; init; } = "versions";
    public string Pending { get; init; } = "pending";
    public string Submissions { get; init; } = "submissions";
    public string Publications { get; init; } = "publications";
    public string Holds { get; init; } = "holds";
    public string Isps { get; init; } = "isps";
    public string LogLeaves { get; init; } = "logleaves";
    public string LogTiles { get; init; } = "logtiles";
    public string LogHead { get; init; } = "loghead";
    public string LogBatches { get; init; } = "logbatches";
    public string LogHistory { get; init; } = "loghistory";
    public string Appeals { get; init; } = "appeals";
    public string ReportMonths { get; init; } = "reportmonths";
    public string ConsoleSessions { get; init; } = "consolesessions";
    public string ArtifactsContainer { get; init; } = "artifacts";
    public string WorkContainer { get; init; } = "work";
    public string LogContainer { get; init; } = "log";

    /// <summary>Every table name, for creating them.</summary>
    public IEnumerable<string> Tables =>
        [Lists, Entries, Expiries, Versions, Pending, Submissions, Publications, Holds, Isps, LogLeaves, LogTiles, LogHead, LogBatches, LogHistory, Appeals, ReportMonths, ConsoleSessions];

    /// <summary>Every container name.</summary>
    public IEnumerable<string> Containers => [ArtifactsContainer, WorkContainer, LogContainer];
}
