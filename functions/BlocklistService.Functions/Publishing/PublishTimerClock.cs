using BlocklistService.Domain.Publishing;
using BlocklistService.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// When the Publish timer fires next: under the Functions host, the next occurrence of the timer's own schedule
/// (<see cref="FunctionsHostOptions.PublishSchedule"/>, the setting its function.json reads); standalone, the next tick
/// the local scheduler announced (null when it is off).
/// </summary>
public sealed class PublishTimerClock(IOptions<FunctionsHostOptions> host, TimeProvider time)
{
    private readonly TimerSchedule? _schedule = host.Value.Schedule();

    private long _localNextUtcTicks;

    private bool HostedByFunctions => host.Value.HostedByFunctions;

    /// <summary>Called by the local scheduler whenever it starts waiting for its next tick.</summary>
    public void LocalTickAt(DateTimeOffset next) => Interlocked.Exchange(ref _localNextUtcTicks, next.UtcTicks);

    public DateTimeOffset? NextRun()
    {
        if (HostedByFunctions)
        {
            return _schedule?.NextAfter(time.GetUtcNow());
        }

        var ticks = Interlocked.Read(ref _localNextUtcTicks);
        return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
    }
}

/// <summary>A list as the admin overview shows it: current version and size, when it last published, when the timer runs next.</summary>
public sealed record ListSummary(string List, long Version, long EntryCount, DateTimeOffset? LastPublished, DateTimeOffset? NextRun);

/// <summary>One published version's aggregates: size after it and how many entries it added and removed.</summary>
public sealed record VersionSummary(long Version, DateTimeOffset? Created, long EntryCount, long Added, long Removed);

/// <summary>
/// Aggregates for dashboards and charts, read from the list heads and the <c>versions</c> table: never entries or
/// log leaves, so their cost does not grow with the size of a list or of the log.
/// </summary>
public sealed class ListOverview(IRowStore rows, PublishStorageNames names, PublishTimerClock clock)
{
    /// <summary>Every list's head (the <c>lists</c> table is small: one row per list).</summary>
    public async Task<IReadOnlyList<ListSummary>> ListsAsync(CancellationToken cancellationToken)
    {
        var next = clock.NextRun();
        var lists = new List<ListSummary>();
        await foreach (var row in rows.QueryAllAsync(names.Lists, cancellationToken))
        {
            if (row.PartitionKey == ListHeadRows.Partition)
            {
                var head = ListHeadRows.Read(row);
                lists.Add(new ListSummary(head.List, head.Version, head.EntryCount, head.Published, next));
            }
        }

        return lists.OrderBy(l => l.List, StringComparer.Ordinal).ToList();
    }

    /// <summary>Versions [<paramref name="from"/>, <paramref name="to"/>] of <paramref name="list"/>, oldest first (one range query).</summary>
    public async Task<IReadOnlyList<VersionSummary>> VersionsAsync(string list, long from, long to, CancellationToken cancellationToken)
    {
        var versions = new List<VersionSummary>();
        var (fromKey, toKey) = VersionRows.Range(from, to);
        await foreach (var row in rows.QueryAsync(names.Versions, list, fromKey, toKey, cancellationToken))
        {
            if (VersionRows.FromRow(row) is { } version)
            {
                versions.Add(new VersionSummary(version.Version, version.Created, version.EntryCount, version.Added, version.Removed));
            }
        }

        return versions;
    }
}
