namespace BlocklistService.Functions.Ingest;

/// <summary>What happened to one submitted item.</summary>
public enum ItemResult
{
    /// <summary>Valid and journaled; the publisher will apply it.</summary>
    Accepted,

    /// <summary>Invalid; never applied. <see cref="SubmittedItem.Reason"/> says why.</summary>
    Rejected,

    /// <summary>Valid but touching a protected host: waits for an admin to approve or reject it.</summary>
    Held,
}

/// <summary>Wire names of <see cref="ItemResult"/>.</summary>
public static class ItemResultNames
{
    public static string ToWireName(this ItemResult result) => result switch
    {
        ItemResult.Accepted => "accepted",
        ItemResult.Rejected => "rejected",
        ItemResult.Held => "held",
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };

    public static ItemResult Parse(string? value) => value switch
    {
        "accepted" => ItemResult.Accepted,
        "held" => ItemResult.Held,
        _ => ItemResult.Rejected,
    };
}

/// <summary>
/// One item of a submission as journaled: the request's fields (canonical where they were valid) and the outcome.
/// Rows are deterministic in the request body, so a retry rewrites identical rows. The publisher reads the accepted
/// ones back per list as <see cref="Domain.Publishing.PendingChange"/>.
/// </summary>
public sealed record SubmittedItem
{
    public required int Index { get; init; }

    public required ItemResult Result { get; init; }

    /// <summary>Reason code when rejected or held, e.g. <c>invalid-url</c>, <c>two-person-rule</c>, <c>protected-host</c>.</summary>
    public string? Reason { get; init; }

    /// <summary>Field path (<c>items[3].url</c>) to messages, for rejected items.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; init; } = new Dictionary<string, string[]>();

    public string? Action { get; init; }

    public string? Url { get; init; }

    public string? Scope { get; init; }

    public IReadOnlyList<string> Lists { get; init; } = [];

    public string? Category { get; init; }

    public string? Reference { get; init; }

    public DateTimeOffset? VerifiedAt { get; init; }

    public IReadOnlyList<string> VerifiedBy { get; init; } = [];

    public DateTimeOffset? ReviewBy { get; init; }

    /// <summary>The canonical expression (host + path, plus query for exact), when the URL was valid.</summary>
    public string? Expression { get; init; }

    /// <summary>Lowercase hex SHA-256 of <see cref="Expression"/>.</summary>
    public string? EntryId { get; init; }

    /// <summary>The canonical host, for protected-host checks.</summary>
    public string? Host { get; init; }
}

/// <summary>
/// The <c>head</c> row of a submission: its commit point. Until it exists the submission's item rows are invisible.
/// </summary>
public sealed record SubmissionHead
{
    public required string SubmissionId { get; init; }

    public required string Hotline { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary>Lowercase hex SHA-256 of the request body.</summary>
    public required string BodySha256 { get; init; }

    public required DateTimeOffset Received { get; init; }

    public required int ItemCount { get; init; }

    public required int Accepted { get; init; }

    public required int Rejected { get; init; }

    public required int Held { get; init; }

    /// <summary>True once the pending markers and review rows have been written (the steps after the commit point).</summary>
    public bool Completed { get; init; }
}
