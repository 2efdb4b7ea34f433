namespace BlocklistService.Functions.Publishing;

/// <summary>Where one list stood when an ISP key last reported it: the version it said it had applied, and when.</summary>
public sealed record IspListPoll(long Since, DateTimeOffset? Polled);

/// <summary>An ISP key's recorded polls: its organisation, when it last called, and the latest poll per list.</summary>
public sealed record IspPolls(string KeyId, string? Organisation, DateTimeOffset? LastContact, IReadOnlyDictionary<string, IspListPoll> Lists);

/// <summary>
/// The <c>isps</c> table's codec: PK <c>isp</c>, RK key id; <c>Organisation</c>, <c>LastContact</c>, and per list
/// <c>Since_{list}</c> and <c>Polled_{list}</c> ('-' in list names written as '_', which list names cannot contain, so
/// the mapping reverses). Written and read by <see cref="IspTracker"/>.
/// </summary>
public static class IspRows
{
    public const string Partition = "isp";
    private const string SincePrefix = "Since_";
    private const string PolledPrefix = "Polled_";

    public static Row ToRow(IspPolls polls)
    {
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Organisation"] = polls.Organisation,
            ["LastContact"] = polls.LastContact,
        };
        foreach (var (list, poll) in polls.Lists)
        {
            properties[SincePrefix + Encode(list)] = poll.Since;
            properties[PolledPrefix + Encode(list)] = poll.Polled;
        }

        return new Row(Partition, polls.KeyId, properties);
    }

    /// <summary>The polls a row records; a list appears once its <c>Since_</c> property exists (its poll time may be missing).</summary>
    public static IspPolls FromRow(Row row)
    {
        var lists = new Dictionary<string, IspListPoll>(StringComparer.Ordinal);
        foreach (var name in row.Properties.Keys.Where(k => k.StartsWith(SincePrefix, StringComparison.Ordinal)))
        {
            var encoded = name[SincePrefix.Length..];
            if (row.GetInt64(name) is { } since)
            {
                lists[encoded.Replace('_', '-')] = new IspListPoll(since, row.GetDateTimeOffset(PolledPrefix + encoded));
            }
        }

        return new IspPolls(row.RowKey, row.GetString("Organisation"), row.GetDateTimeOffset("LastContact"), lists);
    }

    private static string Encode(string list) => list.Replace('-', '_');
}
