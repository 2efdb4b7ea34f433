using System.Globalization;
using BlocklistService.Domain.Publishing;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Stores;

/// <summary>One item of a submission published in one list's version.</summary>
public sealed record Publication(int Index, string List, long Version);

/// <summary>A submission's items for <see cref="List"/> dropped by the rejection of hold <see cref="Hold"/>.</summary>
public sealed record HoldDrop(string List, string Hold);

/// <summary>
/// The <c>publications</c> table's codec: PK submission id, RK <c>{index:D5}-{list}</c>, properties <c>List</c>,
/// <c>Version</c> and <c>Outcome</c>. The publisher writes a row when a version carrying the item is committed; the
/// submission status route reads them.
/// </summary>
public static class PublicationRows
{
    public const string Table = StorageNames.Publications;

    public static string RowKey(int index, string list) => string.Create(CultureInfo.InvariantCulture, $"{index:D5}-{list}");

    public static Row ToRow(ItemPublication publication) => new(publication.SubmissionId, RowKey(publication.Index, publication.List), new Dictionary<string, object?>
    {
        ["List"] = publication.List,
        ["Version"] = publication.Version,
        ["Outcome"] = publication.Outcome == PublicationOutcome.Applied ? "applied" : "not-backed",
    });

    /// <summary>Row key prefix of a <see cref="HoldDrop"/>: not a number, so it is never read as a publication.</summary>
    public const string DropPrefix = "dropped-";

    /// <summary>A hold rejection that dropped a submission's items for a list: PK submission id, RK <c>dropped-{list}</c>.</summary>
    public static Row ToRow(string submissionId, HoldDrop drop) => new(submissionId, DropPrefix + drop.List, new Dictionary<string, object?>
    {
        ["List"] = drop.List,
        ["Hold"] = drop.Hold,
    });

    /// <summary>The hold drop a row records, or null for any other row.</summary>
    public static HoldDrop? DropFromRow(Row row) =>
        row.RowKey.StartsWith(DropPrefix, StringComparison.Ordinal) ? new HoldDrop(row.RowKey[DropPrefix.Length..], row.GetString("Hold") ?? string.Empty) : null;

    /// <summary>The publication a row records, or null for a row key that is not <c>{index}-{list}</c>.</summary>
    public static Publication? FromRow(Row row)
    {
        var dash = row.RowKey.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && int.TryParse(row.RowKey.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            ? new Publication(index, row.RowKey[(dash + 1)..], row.GetInt64("Version") ?? 0)
            : null;
    }
}

/// <summary>Reads a submission's publications (<see cref="PublicationRows"/>).</summary>
public sealed class PublicationStore(IRowStore rows)
{
    /// <summary>Row key of item <paramref name="index"/> published in <paramref name="list"/>.</summary>
    public static string RowKey(int index, string list) => PublicationRows.RowKey(index, list);

    public async Task<IReadOnlyList<Publication>> ReadAsync(string submissionId, CancellationToken cancellationToken) =>
        (await ReadAllAsync(submissionId, cancellationToken)).Publications;

    /// <summary>A submission's publications and the lists a hold rejection dropped its items from, in one query.</summary>
    public async Task<(IReadOnlyList<Publication> Publications, IReadOnlyList<HoldDrop> Drops)> ReadAllAsync(string submissionId, CancellationToken cancellationToken)
    {
        var publications = new List<Publication>();
        var drops = new List<HoldDrop>();
        await foreach (var row in rows.QueryAsync(PublicationRows.Table, submissionId, null, null, cancellationToken))
        {
            if (PublicationRows.DropFromRow(row) is { } drop)
            {
                drops.Add(drop);
            }
            else if (PublicationRows.FromRow(row) is { } publication)
            {
                publications.Add(publication);
            }
        }

        return (publications, drops);
    }
}
