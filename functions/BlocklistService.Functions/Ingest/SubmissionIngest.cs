using System.Security.Cryptography;
using System.Text;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Telemetry;

namespace BlocklistService.Functions.Ingest;

/// <summary>
/// Journals a submission: validate every item, then item rows, the hotline's index row, the head (commit point),
/// pending markers and review rows (docs/architecture.md, "Ingest"). With an <c>Idempotency-Key</c> the submission id
/// is derived from (hotline, key), so a retry after a crash rewrites the same rows and finishes what is missing, and a
/// retry after success gets the same receipt without a second write.
/// </summary>
public sealed class SubmissionIngest(
    SubmissionValidator validator,
    SubmissionJournal journal,
    ListCatalog lists,
    ReviewQueue reviews,
    PublicationStore publications,
    TimeProvider time,
    ILogger<SubmissionIngest> logger,
    BlocklistMetrics? metrics = null)
{
    /// <summary>The submission id for (hotline, idempotency key): stable across retries, opaque, table-key safe.</summary>
    public static string SubmissionIdFor(string hotline, string idempotencyKey) =>
        "s" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{hotline}\n{idempotencyKey}")))[..40];

    public async Task<IngestOutcome> SubmitAsync(string hotline, string? idempotencyKey, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var bodySha256 = Convert.ToHexStringLower(SHA256.HashData(body.Span));
        var submissionId = idempotencyKey is null
            ? "s" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20))
            : SubmissionIdFor(hotline, idempotencyKey);

        if (idempotencyKey is not null && await journal.GetHeadAsync(submissionId, cancellationToken) is { } existing)
        {
            return existing.BodySha256 == bodySha256
                ? new IngestOutcome.Journaled(await ReplayAsync(existing, cancellationToken))
                : new IngestOutcome.KeyReused();
        }

        var names = await lists.NamesAsync(cancellationToken);
        var (items, error) = validator.Validate(body, hotline, names);
        if (error is not null)
        {
            return new IngestOutcome.Invalid(error);
        }

        if (idempotencyKey is not null &&
            await journal.ClaimAsync(hotline, idempotencyKey, submissionId, bodySha256, cancellationToken) == IdempotencyClaim.OtherBody)
        {
            return new IngestOutcome.KeyReused();
        }

        await journal.WriteItemsAsync(submissionId, hotline, items!, cancellationToken);
        var attempt = new SubmissionHead
        {
            SubmissionId = submissionId,
            Hotline = hotline,
            IdempotencyKey = idempotencyKey,
            BodySha256 = bodySha256,
            Received = time.GetUtcNow(),
            ItemCount = items!.Count,
            Accepted = items.Count(i => i.Result == ItemResult.Accepted),
            Rejected = items.Count(i => i.Result == ItemResult.Rejected),
            Held = items.Count(i => i.Result == ItemResult.Held),
        };

        // The hotline's index row before the commit point: every committed head has its index row, whatever crashes
        // after; an index row whose head never came (or came from another attempt) is skipped by ListAsync.
        await journal.IndexAsync(attempt, cancellationToken);
        var head = await journal.CommitAsync(attempt, cancellationToken);
        if (head.BodySha256 != bodySha256)
        {
            return new IngestOutcome.KeyReused();
        }

        await CompleteAsync(head, items, cancellationToken);
        foreach (var item in items)
        {
            metrics?.IngestItem(item.Result.ToString().ToLowerInvariant(), item.Reason);
        }

        logger.LogInformation(
            "Submission {SubmissionId} from {Hotline} journaled: {Accepted} accepted, {Rejected} rejected, {Held} held",
            head.SubmissionId, hotline, head.Accepted, head.Rejected, head.Held);
        return new IngestOutcome.Journaled(Receipt(head, items));
    }

    /// <summary>The reason (item) and state (list) of an item a hold rejection dropped.</summary>
    public const string RejectedByHold = "rejected-by-hold";

    /// <summary>
    /// A page of <paramref name="hotline"/>'s own submissions, newest first, each with how many items are in each state
    /// (its status read as <see cref="StatusAsync"/> reads it: the cost grows with the page, not with the hotline's history).
    /// </summary>
    public async Task<SubmissionPage> ListAsync(string hotline, string? after, int limit, CancellationToken cancellationToken)
    {
        var (indexed, next) = await journal.ListAsync(hotline, after, limit, cancellationToken);
        var summaries = new List<SubmissionSummary>(indexed.Count);
        foreach (var entry in indexed)
        {
            // listed only by the index row of the attempt that committed: an attempt cut off before its head, or one
            // that lost the commit to a concurrent retry, left a row with no head or another receive time
            if (await StatusAsync(hotline, entry.SubmissionId, cancellationToken) is { } status && status.Received == entry.Received)
            {
                var states = status.Items.GroupBy(i => i.State, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
                summaries.Add(new SubmissionSummary(status.SubmissionId, status.Received, status.Items.Count, states));
            }
        }

        return new SubmissionPage(summaries, next);
    }

    /// <summary>The state of each item, or null when the submission does not exist or belongs to another hotline.</summary>
    public async Task<SubmissionStatus?> StatusAsync(string hotline, string submissionId, CancellationToken cancellationToken)
    {
        var head = await journal.GetHeadAsync(submissionId, cancellationToken);
        if (head is null || !string.Equals(head.Hotline, hotline, StringComparison.Ordinal))
        {
            return null;
        }

        var items = await journal.ReadItemsAsync(submissionId, cancellationToken);
        var (itemPublications, drops) = await publications.ReadAllAsync(submissionId, cancellationToken);
        var published = itemPublications.ToDictionary(p => (p.Index, p.List), p => p.Version);
        var dropped = drops.ToDictionary(d => d.List, d => d.Hold, StringComparer.Ordinal);
        var states = items.Select(item =>
        {
            if (item.Result != ItemResult.Accepted)
            {
                return new ItemStatus(item.Index, item.Result.ToWireName(), item.Reason, item.Action, item.EntryId, item.Expression, [], item.Reference);
            }

            var perList = item.Lists
                .Select(list => published.TryGetValue((item.Index, list), out var version)
                    ? new ItemListState(list, "published", version)
                    : dropped.TryGetValue(list, out var hold)
                        ? new ItemListState(list, RejectedByHold, null, hold)
                        : new ItemListState(list, "pending", null))
                .ToList();

            // not published as asked: every list is settled and a hold rejection dropped at least one of them
            if (perList.All(l => l.State != "pending") && perList.FirstOrDefault(l => l.Hold is not null) is { } drop)
            {
                return new ItemStatus(item.Index, ItemResult.Rejected.ToWireName(), RejectedByHold, item.Action, item.EntryId, item.Expression, perList, item.Reference, drop.Hold);
            }

            var state = perList.All(l => l.Version is not null) ? "published" : "pending";
            return new ItemStatus(item.Index, state, null, item.Action, item.EntryId, item.Expression, perList, item.Reference);
        }).ToList();
        return new SubmissionStatus(submissionId, head.Received, states);
    }

    /// <summary>A retry of a committed submission: finish the steps after the commit point if a crash cut them off.</summary>
    private async Task<SubmissionReceipt> ReplayAsync(SubmissionHead head, CancellationToken cancellationToken)
    {
        var items = await journal.ReadItemsAsync(head.SubmissionId, cancellationToken);
        if (!head.Completed)
        {
            await CompleteAsync(head, items, cancellationToken);
        }

        logger.LogInformation("Submission {SubmissionId} from {Hotline} replayed for a retry", head.SubmissionId, head.Hotline);
        return Receipt(head, items);
    }

    private async Task CompleteAsync(SubmissionHead head, IReadOnlyList<SubmittedItem> items, CancellationToken cancellationToken)
    {
        await journal.MarkPendingAsync(
            head.SubmissionId, items.Where(i => i.Result == ItemResult.Accepted).SelectMany(i => i.Lists), cancellationToken);
        foreach (var held in items.Where(i => i.Result == ItemResult.Held))
        {
            await reviews.AddAsync(
                new HeldItem(head.SubmissionId, held.Index, head.Hotline, held.Expression ?? string.Empty, held.Scope ?? string.Empty, held.Lists),
                cancellationToken);
        }

        await journal.MarkCompletedAsync(head.SubmissionId, cancellationToken);
    }

    private static SubmissionReceipt Receipt(SubmissionHead head, IReadOnlyList<SubmittedItem> items) => new(
        head.SubmissionId,
        head.Received,
        head.Accepted,
        head.Rejected,
        head.Held,
        items.Select(i => new ItemReceipt(
            i.Index,
            i.Result.ToWireName(),
            i.Reason,
            i.Errors.Count > 0 ? i.Errors : null,
            i.EntryId,
            i.Expression)).ToList());
}
