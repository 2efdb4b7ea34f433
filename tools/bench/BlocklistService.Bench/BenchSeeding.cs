using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;

namespace BlocklistService.Bench;

/// <summary>What several benchmarks share: add leaves to seed a log with, and the machine's load for their reports.</summary>
internal static class BenchSeeding
{
    /// <summary>
    /// <paramref name="count"/> add leaves of list <paramref name="list"/> at <paramref name="version"/>, leaf n naming
    /// <paramref name="expressionOf"/>(n), stamped now to the second.
    /// </summary>
    public static List<byte[]> AddLeaves(string list, long start, int count, long version, Func<long, string> expressionOf)
    {
        var name = ListName.Parse(list);
        var at = DateTimeOffset.UtcNow;
        at = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second, TimeSpan.Zero);
        var leaves = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var n = start + i;
            var expression = expressionOf(n);
            leaves.Add(new LogLeaf
            {
                Kind = LogLeafKind.Add,
                List = name,
                Version = version,
                EntryId = EntryId.ForExpression(expression),
                Expression = expression,
                Scope = EntryScope.Exact,
                Category = "csam",
                Hotline = "bench-hotline",
                Reference = $"REF-{n}",
                VerifiedAt = at,
                PublishedAt = at,
            }.ToJson());
        }

        return leaves;
    }

    /// <summary>The 1, 5 and 15 minute load averages, for the figures' context.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
