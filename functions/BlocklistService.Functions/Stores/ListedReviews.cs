using System.Globalization;
using BlocklistService.Domain.Entries;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// A listed whole-host entry whose host became protected after it was listed (a configuration change): it stays listed
/// until an admin keeps it or delists it. <see cref="ProtectedHost"/> is the configured host covering it.
/// </summary>
public sealed record ListedReview(string List, string EntryId, string Expression, string Scope, string ProtectedHost, IReadOnlyList<string> Hotlines, DateTimeOffset Queued);

/// <summary>
/// How the admin decided a listed entry's review: <see cref="Result"/> is <see cref="Kept"/> or <see cref="Delisted"/>;
/// <see cref="DecisionIndex"/> and <see cref="DecidedAt"/> are those of the decision leaf; <see cref="Instance"/> says
/// which queueing of the entry it decided (<see cref="ListedReviewRows.Instance"/>).
/// </summary>
public sealed record ListedReviewDecision(string List, string EntryId, string Instance, string Result, long DecisionIndex, DateTimeOffset DecidedAt)
{
    public const string Kept = "kept";
    public const string Delisted = "delisted";
}

/// <summary>
/// The listed-entry reviews in the <c>reviews</c> table: PK <c>listed</c>, RK <c>{list}-{entry id}</c>, one row per
/// waiting <see cref="ListedReview"/>; PK <c>listed-decided</c>, same RK, the entry's last <see cref="ListedReviewDecision"/>
/// (so a repeated request is answered after its review left the queue); and the sweep's marker, PK
/// <c>protected-hosts</c>, RK <c>swept</c>, holding the fingerprint of the protected-host set last swept
/// (<see cref="ProtectedHostSweep"/>).
/// </summary>
public static class ListedReviewRows
{
    public const string Table = StorageNames.Reviews;
    public const string Partition = "listed";
    public const string DecidedPartition = "listed-decided";
    public const string MarkerPartition = "protected-hosts";
    public const string MarkerRow = "swept";

    public static string RowKey(string list, string entryId) => $"{list}-{entryId}";

    public static Row ToRow(ListedReview review) => new(Partition, RowKey(review.List, review.EntryId), new Dictionary<string, object?>
    {
        ["List"] = review.List,
        ["EntryId"] = review.EntryId,
        ["Expression"] = review.Expression,
        ["Scope"] = review.Scope,
        ["ProtectedHost"] = review.ProtectedHost,
        ["Hotlines"] = string.Join(',', review.Hotlines),
        ["Queued"] = review.Queued,
    });

    public static ListedReview FromRow(Row row) => new(
        row.GetString("List") ?? string.Empty,
        row.GetString("EntryId") ?? string.Empty,
        row.GetString("Expression") ?? string.Empty,
        row.GetString("Scope") ?? string.Empty,
        row.GetString("ProtectedHost") ?? string.Empty,
        (row.GetString("Hotlines") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries),
        row.GetDateTimeOffset("Queued") ?? DateTimeOffset.UnixEpoch);

    public static Row ToRow(ListedReviewDecision decision) => new(DecidedPartition, RowKey(decision.List, decision.EntryId), new Dictionary<string, object?>
    {
        ["List"] = decision.List,
        ["EntryId"] = decision.EntryId,
        ["Instance"] = decision.Instance,
        ["Result"] = decision.Result,
        ["DecisionIndex"] = decision.DecisionIndex,
        ["DecidedAt"] = decision.DecidedAt,
    });

    public static ListedReviewDecision DecisionFromRow(Row row) => new(
        row.GetString("List") ?? string.Empty,
        row.GetString("EntryId") ?? string.Empty,
        row.GetString("Instance") ?? string.Empty,
        row.GetString("Result") ?? string.Empty,
        row.GetInt64("DecisionIndex") ?? 0,
        row.GetDateTimeOffset("DecidedAt") ?? DateTimeOffset.UnixEpoch);

    public static Row Marker(string fingerprint) => new(MarkerPartition, MarkerRow, new Dictionary<string, object?> { ["Fingerprint"] = fingerprint });

    public static string? Fingerprint(Row row) => row.GetString("Fingerprint");

    /// <summary>Which queueing of an entry a decision is about (a later sweep may queue the same entry again).</summary>
    public static string Instance(ListedReview review) => review.Queued.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}

/// <summary>Reads, adds and completes <see cref="ListedReview"/>s (<see cref="ListedReviewRows"/>).</summary>
public sealed class ListedReviews(IRowStore rows)
{
    public async Task<IReadOnlyList<ListedReview>> ListAsync(CancellationToken cancellationToken)
    {
        var reviews = new List<ListedReview>();
        await foreach (var row in rows.QueryAsync(ListedReviewRows.Table, ListedReviewRows.Partition, null, null, cancellationToken))
        {
            reviews.Add(ListedReviewRows.FromRow(row));
        }

        return reviews;
    }

    public async Task<ListedReview?> GetAsync(string list, string entryId, CancellationToken cancellationToken) =>
        await rows.GetAsync(ListedReviewRows.Table, ListedReviewRows.Partition, ListedReviewRows.RowKey(list, entryId), cancellationToken) is { } row
            ? ListedReviewRows.FromRow(row)
            : null;

    /// <summary>Queues a review unless one for the entry is already waiting (create-only): true when added now.</summary>
    public async Task<bool> AddAsync(ListedReview review, CancellationToken cancellationToken)
    {
        try
        {
            await rows.AddAsync(ListedReviewRows.Table, ListedReviewRows.ToRow(review), cancellationToken);
            return true;
        }
        catch (RowConflictException)
        {
            return false;
        }
    }

    /// <summary>The entry's last decided review, or null when none was decided.</summary>
    public async Task<ListedReviewDecision?> GetDecidedAsync(string list, string entryId, CancellationToken cancellationToken) =>
        await rows.GetAsync(ListedReviewRows.Table, ListedReviewRows.DecidedPartition, ListedReviewRows.RowKey(list, entryId), cancellationToken) is { } row
            ? ListedReviewRows.DecisionFromRow(row)
            : null;

    /// <summary>
    /// Records the decision, then takes the review out of the queue (both idempotent): a crash in between leaves the
    /// review waiting, and deciding it again finishes.
    /// </summary>
    public async Task CompleteAsync(ListedReviewDecision decision, CancellationToken cancellationToken)
    {
        await rows.UpsertAsync(ListedReviewRows.Table, [ListedReviewRows.ToRow(decision)], cancellationToken);
        await rows.DeleteAsync(ListedReviewRows.Table, [(ListedReviewRows.Partition, ListedReviewRows.RowKey(decision.List, decision.EntryId))], cancellationToken);
    }

    public async Task<string?> SweptFingerprintAsync(CancellationToken cancellationToken) =>
        await rows.GetAsync(ListedReviewRows.Table, ListedReviewRows.MarkerPartition, ListedReviewRows.MarkerRow, cancellationToken) is { } row
            ? ListedReviewRows.Fingerprint(row)
            : null;

    public async Task MarkSweptAsync(string fingerprint, CancellationToken cancellationToken) =>
        await rows.UpsertAsync(ListedReviewRows.Table, [ListedReviewRows.Marker(fingerprint)], cancellationToken);
}
