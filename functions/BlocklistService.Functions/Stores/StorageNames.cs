namespace BlocklistService.Functions.Stores;

/// <summary>Every table and container name the service uses (docs/architecture.md, "Tables and containers").</summary>
public static class StorageNames
{
    public const string ApiKeys = "apikeys";
    public const string Submissions = "submissions";
    public const string Idempotency = "idempotency";
    public const string Pending = "pending";
    public const string Publications = "publications";
    public const string Lists = "lists";
    public const string Entries = "entries";
    public const string Expiries = "expiries";
    public const string Versions = "versions";
    public const string Holds = "holds";
    public const string Reviews = "reviews";
    public const string Isps = "isps";
    public const string LogLeaves = "logleaves";
    public const string LogTiles = "logtiles";
    public const string LogHead = "loghead";
    public const string LogBatches = "logbatches";
    public const string LogHistory = "loghistory";
    public const string Appeals = "appeals";
    public const string ReportMonths = "reportmonths";
    public const string ConsoleSessions = "consolesessions";

    public const string ArtifactsContainer = "artifacts";
    public const string WorkContainer = "work";
    public const string LogContainer = "log";

    /// <summary>The tables the API itself reads or writes; created at start-up.</summary>
    public static IReadOnlyList<string> ApiTables { get; } =
        [ApiKeys, Submissions, Idempotency, Pending, Publications, Lists, Reviews];
}
