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
/// An item whose lists a hold rejection dropped (and none is pending) is <c>rejected</c> with reason
/// <c>rejected-by-hold</c> and <see cref="Hold"/> naming the hold.
public sealed record ItemStatus(
    int Index, string State, string? Reason, string? Action, string? EntryId, string? Expression, IReadOnlyList<ItemListState> Lists, string? Reference = null, string? Hold = null);

/// <summary>An item in one list: <c>pending</c>, <c>published</c> in <see cref="Version"/>, or <c>rejected-by-hold</c> (<see cref="Hold"/>).</summary>
public sealed record ItemListState(string List, string State, long? Version, string? Hold = null);

/// <summary>One submission in a hotline's list: when it came, how many items, and how many are in each state now.</summary>
public sealed record SubmissionSummary(string SubmissionId, DateTimeOffset Received, int Items, IReadOnlyDictionary<string, int> States);

/// <summary>A page of a hotline's submissions, newest first; <see cref="Next"/> is the cursor of the next page (null: none).</summary>
public sealed record SubmissionPage(IReadOnlyList<SubmissionSummary> Submissions, string? Next);

/// <summary>What came of a submission request.</summary>
public abstract record IngestOutcome
{
    public sealed record Journaled(SubmissionReceipt Receipt) : IngestOutcome;

    public sealed record Invalid(SubmissionBodyError Error) : IngestOutcome;

    public sealed record KeyReused : IngestOutcome;
}
