namespace BlocklistService.Functions.Ingest;

/// <summary>The 202 answer to a submission: its id and one result per item, in request order.</summary>
public sealed record SubmissionReceipt(
    string SubmissionId,
    DateTimeOffset Received,
    int Accepted,
    int Rejected,
    int Held,
    IReadOnlyList<ItemReceipt> Items);

/// <summary>One item's result: <c>accepted</c>, <c>rejected</c> (with reason and field errors) or <c>held</c>.</summary>
public sealed record ItemReceipt(
    int Index,
    string Result,
    string? Reason,
    IReadOnlyDictionary<string, string[]>? Errors,
    string? EntryId,
    string? Expression);

/// <summary>The state of every item of a submission.</summary>
public sealed record SubmissionStatus(string SubmissionId, DateTimeOffset Received, IReadOnlyList<ItemStatus> Items);

/// <summary>
/// One item's state: <c>rejected</c> (reason), <c>held</c> (awaiting review), <c>pending</c> (journaled, not yet in
/// every list) or <c>published</c> (in every list it names; <see cref="Lists"/> gives the versions).
/// </summary>
/// <see cref="Reference"/> is the hotline's own report reference, so an analyst can find the item in their case system.
public sealed record ItemStatus(int Index, string State, string? Reason, string? Action, string? EntryId, string? Expression, IReadOnlyList<ItemListState> Lists, string? Reference = null);

/// <summary>An item in one list: <c>pending</c>, or <c>published</c> in <see cref="Version"/>.</summary>
public sealed record ItemListState(string List, string State, long? Version);

/// <summary>What came of a submission request.</summary>
public abstract record IngestOutcome
{
    public sealed record Journaled(SubmissionReceipt Receipt) : IngestOutcome;

    public sealed record Invalid(SubmissionBodyError Error) : IngestOutcome;

    public sealed record KeyReused : IngestOutcome;
}
