using BlocklistService.Domain.Entries;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Redress;

/// <summary>Where an appeal stands.</summary>
public enum AppealStatus
{
    Open,
    Upheld,
    Dismissed,
}

/// <summary>Wire names of <see cref="AppealStatus"/>: open, upheld, dismissed.</summary>
public static class AppealStatusNames
{
    public static string ToWireName(this AppealStatus status) => status switch
    {
        AppealStatus.Open => "open",
        AppealStatus.Upheld => "upheld",
        AppealStatus.Dismissed => "dismissed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? value, out AppealStatus status)
    {
        switch (value)
        {
            case "open": status = AppealStatus.Open; return true;
            case "upheld": status = AppealStatus.Upheld; return true;
            case "dismissed": status = AppealStatus.Dismissed; return true;
            default: status = default; return false;
        }
    }
}

/// <summary>
/// A site owner's appeal: what they asked (URL, contact, statement), the entry ids the URL could match (computed from
/// the URL alone, so taking an appeal never looks at the lists), the SHA-256 of its secret, and once decided, the
/// decision.
/// </summary>
public sealed record Appeal
{
    public required string Ticket { get; init; }

    public required byte[] SecretSha256 { get; init; }

    public required string Url { get; init; }

    public required string Contact { get; init; }

    public required string Statement { get; init; }

    /// <summary>The ids of every Safe Browsing suffix/prefix expression of the URL: the entries it could concern.</summary>
    public required IReadOnlyList<EntryId> Candidates { get; init; }

    public required DateTimeOffset Received { get; init; }

    public AppealStatus Status { get; init; } = AppealStatus.Open;

    public AppealDecision? Decision { get; init; }
}

/// <summary>A decision on an appeal: what, why (public text), by which analyst and key, when, about which entries, and where the log holds it.</summary>
public sealed record AppealDecision(
    AppealStatus Outcome,
    string Reason,
    string Analyst,
    string KeyId,
    string Organisation,
    DateTimeOffset DecidedAt,
    IReadOnlyList<EntryId> Entries,
    IReadOnlyList<string> Hotlines,
    long LogIndex);

/// <summary>
/// The <c>appeals</c> table: PK <c>appeal</c>, RK the ticket. One partition: appeals are few (thousands a year) and the
/// queue is read whole. Decision columns are empty while the appeal is open.
/// </summary>
public static class AppealCodec
{
    public const string Partition = "appeal";

    public static Row ToRow(Appeal appeal)
    {
        var properties = new Dictionary<string, object?>
        {
            ["SecretSha256"] = appeal.SecretSha256,
            ["Url"] = appeal.Url,
            ["Contact"] = appeal.Contact,
            ["Statement"] = appeal.Statement,
            ["Candidates"] = string.Join(',', appeal.Candidates.Select(c => c.Hex)),
            ["Received"] = appeal.Received,
            ["Status"] = appeal.Status.ToWireName(),
        };
        if (appeal.Decision is { } decision)
        {
            properties["Reason"] = decision.Reason;
            properties["Analyst"] = decision.Analyst;
            properties["DecidedByKey"] = decision.KeyId;
            properties["DecidedByOrganisation"] = decision.Organisation;
            properties["DecidedAt"] = decision.DecidedAt;
            properties["Entries"] = string.Join(',', decision.Entries.Select(e => e.Hex));
            properties["Hotlines"] = string.Join(',', decision.Hotlines);
            properties["LogIndex"] = decision.LogIndex;
        }

        return new Row(Partition, appeal.Ticket, properties);
    }

    public static Appeal FromRow(Row row)
    {
        AppealStatusNames.TryParse(row.GetString("Status"), out var status);
        return new Appeal
        {
            Ticket = row.RowKey,
            SecretSha256 = row.GetBinary("SecretSha256") ?? [],
            Url = row.GetString("Url") ?? "",
            Contact = row.GetString("Contact") ?? "",
            Statement = row.GetString("Statement") ?? "",
            Candidates = Ids(row.GetString("Candidates")),
            Received = row.GetDateTimeOffset("Received") ?? DateTimeOffset.MinValue,
            Status = status,
            Decision = status == AppealStatus.Open ? null : new AppealDecision(
                status,
                row.GetString("Reason") ?? "",
                row.GetString("Analyst") ?? "",
                row.GetString("DecidedByKey") ?? "",
                row.GetString("DecidedByOrganisation") ?? "",
                row.GetDateTimeOffset("DecidedAt") ?? DateTimeOffset.MinValue,
                Ids(row.GetString("Entries")),
                (row.GetString("Hotlines") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
                row.GetInt64("LogIndex")),
        };
    }

    private static List<EntryId> Ids(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(hex => EntryId.TryParse(hex, out var id) ? id : throw new FormatException($"appeal row: '{hex}' is not an entry id")).ToList();
}
