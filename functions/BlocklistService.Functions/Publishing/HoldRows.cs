using System.Globalization;
using System.Text.Json;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// A hold as the <c>holds</c> table keeps it: what an admin sees (<see cref="Hold"/>), the plan document of the exact
/// change set it stopped, and which hold of that version it is.
/// </summary>
public sealed record StoredHold(Hold Hold, string? PlanName, string? Instance, string ETag = "")
{
    /// <summary>
    /// Which hold of a version this is: a decision is logged once per hold, and a later hold of the same version (its
    /// items kept pending after a rejection) is another one. Holds recorded before instances existed use their time.
    /// </summary>
    public string InstanceKey =>
        Instance is { Length: > 0 } instance ? instance : (Hold.Held ?? DateTimeOffset.UnixEpoch).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>The same hold in another state (the row keeps its ETag, for an If-Match update).</summary>
    public StoredHold WithStatus(string status) => this with { Hold = Hold with { Status = status } };
}

/// <summary>
/// The <c>holds</c> table's codec: PK <c>hold</c>, RK <c>{list}-{version D12}</c> while open (a rejected hold moves to
/// <c>{id}-rejected-{unix seconds}</c>); <c>List</c>, <c>Version</c>, <c>Listed</c>, <c>Unlisted</c>, <c>Changes</c>,
/// <c>CountBefore</c>, <c>Submissions</c> (JSON array), <c>Held</c>, <c>Status</c>, <c>Digest</c>, <c>PlanName</c>,
/// <c>Instance</c>. <see cref="PublishRunner"/> creates holds and reads their status; <see cref="HoldDesk"/> lists
/// and decides them.
/// </summary>
public static class HoldRows
{
    public const string Partition = "hold";

    /// <summary>A hold's id: the list and the version it would have published.</summary>
    public static string RowKey(string list, long version) => $"{list}-{version.ToString("D12", CultureInfo.InvariantCulture)}";

    /// <summary>Where a rejected hold is kept, so the version it held can be planned afresh.</summary>
    public static string RejectedRowKey(string id, DateTimeOffset at) => $"{id}-rejected-{at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";

    public static Row ToRow(StoredHold stored)
    {
        var hold = stored.Hold;
        return new Row(Partition, hold.Id, new Dictionary<string, object?>
        {
            ["List"] = hold.List,
            ["Version"] = hold.Version,
            ["Listed"] = hold.Listed,
            ["Unlisted"] = hold.Unlisted,
            ["Changes"] = hold.Changes,
            ["CountBefore"] = hold.CountBefore,
            ["Submissions"] = JsonSerializer.Serialize(hold.Submissions),
            ["Held"] = hold.Held,
            ["Status"] = hold.Status,
            ["Digest"] = hold.Digest,
            ["PlanName"] = stored.PlanName,
            ["Instance"] = stored.Instance,
        }, stored.ETag);
    }

    /// <summary>The hold a row stores; missing numbers read as 0, a missing status as empty, missing submissions as none.</summary>
    public static StoredHold FromRow(Row row) => new(
        new Hold(
            row.RowKey,
            row.GetString("List") ?? string.Empty,
            row.GetInt64("Version") ?? 0,
            row.GetInt64("Listed") ?? 0,
            row.GetInt64("Unlisted") ?? 0,
            row.GetInt64("Changes") ?? 0,
            row.GetInt64("CountBefore") ?? 0,
            row.GetDateTimeOffset("Held"),
            row.GetString("Status") ?? string.Empty,
            row.GetString("Digest"),
            JsonSerializer.Deserialize<List<string>>(row.GetString("Submissions") ?? "[]") ?? []),
        row.GetString("PlanName") is { Length: > 0 } plan ? plan : null,
        row.GetString("Instance"),
        row.ETag);
}
