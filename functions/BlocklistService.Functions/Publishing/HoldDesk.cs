using System.Text.Json;

namespace BlocklistService.Functions.Publishing;

/// <summary>A version the change guard held: what it would change and its state (held, approved, rejected).</summary>
public sealed record Hold(string Id, string List, long Version, long Listed, long Unlisted, long CountBefore, DateTimeOffset? Held, string Status, IReadOnlyList<string> Submissions);

/// <summary>How an admin's decision on a hold went.</summary>
public enum HoldDecision
{
    Done,
    NotFound,
    AlreadyDecided,
}

/// <summary>
/// The admin's side of the change guard (<c>holds</c> table, PK <c>hold</c>). Approving marks the hold approved and
/// publishes its list at once (the run finds the approval and claims the plan). Rejecting drops the held changes —
/// the pending markers of the held submissions for that list — and records the rejection under
/// <c>{id}-rejected-{unix seconds}</c>, so the list's next version can be planned (and held) afresh.
/// </summary>
public sealed class HoldDesk(IRowStore rows, PublishRunner runner, PublishStorageNames names, TimeProvider time)
{
    public const string Partition = "hold";

    public async Task<IReadOnlyList<Hold>> ListAsync(CancellationToken cancellationToken)
    {
        var holds = new List<Hold>();
        await foreach (var row in rows.QueryAsync(names.Holds, Partition, null, null, cancellationToken))
        {
            holds.Add(ToHold(row));
        }

        return holds.OrderByDescending(h => h.Held).ToList();
    }

    public async Task<(HoldDecision Decision, Hold? Hold, ListPublishResult? Published)> ApproveAsync(string id, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(names.Holds, Partition, id, cancellationToken);
        if (row is null)
        {
            return (HoldDecision.NotFound, null, null);
        }

        if (row.GetString("Status") != "held")
        {
            return (HoldDecision.AlreadyDecided, ToHold(row), null);
        }

        await rows.UpdateAsync(names.Holds, With(row, "approved"), row.ETag, cancellationToken);
        var published = await runner.PublishListAsync(row.GetString("List")!, cancellationToken);
        return (HoldDecision.Done, ToHold(With(row, "approved")), published);
    }

    public async Task<(HoldDecision Decision, Hold? Hold)> RejectAsync(string id, CancellationToken cancellationToken)
    {
        var row = await rows.GetAsync(names.Holds, Partition, id, cancellationToken);
        if (row is null)
        {
            return (HoldDecision.NotFound, null);
        }

        if (row.GetString("Status") != "held")
        {
            return (HoldDecision.AlreadyDecided, ToHold(row));
        }

        var hold = ToHold(row);
        var rejected = With(row, "rejected") with { RowKey = $"{id}-rejected-{time.GetUtcNow().ToUnixTimeSeconds()}" };
        await rows.UpsertAsync(names.Holds, [rejected], cancellationToken);
        await rows.DeleteAsync(names.Pending, hold.Submissions.Select(s => (hold.List, s)).ToList(), cancellationToken);
        await rows.DeleteAsync(names.Holds, [(Partition, id)], cancellationToken);
        return (HoldDecision.Done, ToHold(rejected));
    }

    private static Row With(Row row, string status) =>
        row with { Properties = new Dictionary<string, object?>(row.Properties) { ["Status"] = status } };

    private static Hold ToHold(Row row) => new(
        row.RowKey,
        row.GetString("List") ?? string.Empty,
        row.GetInt64("Version") ?? 0,
        row.GetInt64("Listed") ?? 0,
        row.GetInt64("Unlisted") ?? 0,
        row.GetInt64("CountBefore") ?? 0,
        row.GetDateTimeOffset("Held"),
        row.GetString("Status") ?? string.Empty,
        JsonSerializer.Deserialize<List<string>>(row.GetString("Submissions") ?? "[]") ?? []);
}
