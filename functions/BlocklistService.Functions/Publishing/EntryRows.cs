using System.Globalization;
using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Publishing;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// The <c>entries</c> table's codec: PK list name, RK entry id (hex); <c>Expression</c>, <c>Scope</c> (wire name),
/// <c>Category</c>, <c>Backings</c> (JSON array: hotline, reference, verifiedAt, reviewBy, submission id, item index),
/// <c>AddedIn</c> / <c>RemovedIn</c> (0: never) and <c>Status</c> (<c>listed</c> / <c>removed</c>, for people reading
/// the table; the state follows from the backings). The publisher writes the rows a plan changes; the publisher's
/// planner, the appeal desk and the publish-scale benchmark's seeding read or write them only through here.
/// </summary>
public static class EntryRows
{
    public static string RowKey(EntryId id) => id.Hex;

    public static Row ToRow(string list, EntryState entry) => new(list, RowKey(entry.Id), new Dictionary<string, object?>
    {
        ["Expression"] = entry.Expression,
        ["Scope"] = entry.Scope.ToWireName(),
        ["Category"] = entry.Category,
        ["Backings"] = JsonSerializer.Serialize(entry.Backings.Select(b => new BackingJson(b.Hotline, b.Reference, b.VerifiedAt, b.ReviewBy, b.SubmissionId, b.ItemIndex))),
        ["AddedIn"] = entry.AddedIn ?? 0,
        ["RemovedIn"] = entry.RemovedIn ?? 0,
        ["Status"] = entry.IsListed ? "listed" : "removed",
    });

    /// <summary>
    /// The entry a row stores. Missing properties read as: no backings (so not listed), empty expression and category,
    /// the default scope, never added or removed.
    /// </summary>
    public static EntryState FromRow(EntryId id, Row row)
    {
        EntryScopeNames.TryParse(row.GetString("Scope"), out var scope);
        var backings = JsonSerializer.Deserialize<List<BackingJson>>(row.GetString("Backings") ?? "[]") ?? [];
        var addedIn = row.GetInt64("AddedIn") ?? 0;
        var removedIn = row.GetInt64("RemovedIn") ?? 0;
        return new EntryState(id, row.GetString("Expression") ?? string.Empty, scope, row.GetString("Category") ?? string.Empty,
            backings.Select(b => new Backing(b.Hotline, b.Reference, b.VerifiedAt, b.ReviewBy, b.SubmissionId, b.ItemIndex)).ToList(),
            addedIn == 0 ? null : addedIn, removedIn == 0 ? null : removedIn);
    }

    /// <summary>A backing as stored in the <c>Backings</c> JSON (property names are part of the stored format).</summary>
    private sealed record BackingJson(string Hotline, string Reference, DateTimeOffset VerifiedAt, DateTimeOffset ReviewBy, string SubmissionId, int ItemIndex);
}

/// <summary>
/// The <c>expiries</c> table's codec, an index of backings by review-by date: PK list name, RK
/// <c>{reviewBy:yyyyMMddHHmmss}-{entry id}-{hotline, URL-escaped}</c>, properties <c>Id</c>, <c>Hotline</c>,
/// <c>ReviewBy</c>. A range query up to <see cref="DueBefore"/> finds exactly the backings due, so expiry costs the
/// number of expiring backings, not the size of the list.
/// </summary>
public static class ExpiryRows
{
    public static string RowKey(DueExpiry expiry) => $"{Stamp(expiry.ReviewBy)}-{expiry.Id.Hex}-{Uri.EscapeDataString(expiry.Hotline)}";

    /// <summary>The exclusive upper RowKey of the backings due at <paramref name="at"/> (every key of that second sorts before it).</summary>
    public static string DueBefore(DateTimeOffset at) => Stamp(at) + ".";

    public static Row ToRow(string list, DueExpiry expiry) => new(list, RowKey(expiry), new Dictionary<string, object?>
    {
        ["Id"] = expiry.Id.Hex,
        ["Hotline"] = expiry.Hotline,
        ["ReviewBy"] = expiry.ReviewBy,
    });

    /// <summary>The backing a row indexes, or null for a row without a valid id, hotline and date (skipped, never guessed).</summary>
    public static DueExpiry? FromRow(Row row) =>
        EntryId.TryParse(row.GetString("Id"), out var id) && row.GetString("Hotline") is { } hotline && row.GetDateTimeOffset("ReviewBy") is { } reviewBy
            ? new DueExpiry(id, hotline, reviewBy)
            : null;

    private static string Stamp(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
}
