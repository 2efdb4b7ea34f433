using System.Globalization;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Transparency;

namespace BlocklistService.Domain.Reporting;

/// <summary>Counts of one kind of change: the total, and by category, scope and hotline (<c>"-"</c> when the service acted itself).</summary>
public sealed class ChangeCounts
{
    public long Total { get; set; }

    public SortedDictionary<string, long> ByCategory { get; init; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> ByScope { get; init; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> ByHotline { get; init; } = new(StringComparer.Ordinal);

    public void Count(LogLeaf leaf)
    {
        Total++;
        Increment(ByCategory, leaf.Category);
        Increment(ByScope, leaf.Scope.ToWireName());
        Increment(ByHotline, leaf.Hotline ?? "-");
    }

    internal static void Increment(SortedDictionary<string, long> counts, string key) =>
        counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;
}

/// <summary>
/// The transparency figures of one list in one UTC month, maintained leaf by leaf as the log grows: entries added,
/// removed (the last backing withdrawn), expired (the last backing passed its review-by date) and withdrawn (one of
/// several backings), each by category, scope and hotline; reverts and hold decisions; and how long removed or expired
/// entries had been listed, as a histogram of whole days (its median is exact in days).
/// </summary>
public sealed class MonthFigures
{
    public ChangeCounts Added { get; init; } = new();

    public ChangeCounts Removed { get; init; } = new();

    public ChangeCounts Expired { get; init; } = new();

    public long Withdrawn { get; set; }

    public long Reverted { get; set; }

    public long HoldsApproved { get; set; }

    public long HoldsRejected { get; set; }

    /// <summary>Whole days listed → number of removals and expiries after that long.</summary>
    public SortedDictionary<string, long> ListingDays { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The lower median of <see cref="ListingDays"/>, or null when nothing was delisted.</summary>
    public long? MedianListingDays => Median(ListingDays.Select(kv => (long.Parse(kv.Key, CultureInfo.InvariantCulture), kv.Value)));

    /// <summary>The UTC month of a moment, <c>yyyy-MM</c>.</summary>
    public static string MonthOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The list a leaf counts for, or null when it counts for no list's figures (a decision without a list).</summary>
    public static string? ListOf(TransparencyLeaf leaf) => leaf.List?.Value;

    /// <summary>
    /// Counts one leaf. <paramref name="listedSince"/> is when the entry of a remove or expire leaf was last added to
    /// the list (null when unknown: it then counts in no listing-duration bucket).
    /// </summary>
    public void Apply(TransparencyLeaf leaf, DateTimeOffset? listedSince)
    {
        if (leaf.Change is { } change)
        {
            switch (change.Kind)
            {
                case LogLeafKind.Add:
                    Added.Count(change);
                    break;
                case LogLeafKind.Withdraw:
                    Withdrawn++;
                    break;
                case LogLeafKind.Remove:
                case LogLeafKind.Expire:
                    (change.Kind == LogLeafKind.Remove ? Removed : Expired).Count(change);
                    if (listedSince is { } since)
                    {
                        var days = (long)Math.Floor((change.PublishedAt - since).TotalDays);
                        ChangeCounts.Increment(ListingDays, Math.Max(0, days).ToString(CultureInfo.InvariantCulture));
                    }

                    break;
            }

            return;
        }

        switch (leaf.Decision!.Kind)
        {
            case DecisionKind.Revert: Reverted++; break;
            case DecisionKind.HoldApprove: HoldsApproved++; break;
            case DecisionKind.HoldReject: HoldsRejected++; break;
        }
    }

    /// <summary>True when a leaf changes a list's figures (and so needs its row).</summary>
    public static bool Counts(TransparencyLeaf leaf) =>
        leaf.Change is not null || leaf.Decision is { Kind: DecisionKind.Revert or DecisionKind.HoldApprove or DecisionKind.HoldReject, Subject.List: not null };

    /// <summary>True when the leaf ends a listing (its duration is counted).</summary>
    public static bool EndsListing(TransparencyLeaf leaf) => leaf.Change is { Kind: LogLeafKind.Remove or LogLeafKind.Expire };

    /// <summary>The lower median of a multiset given as (value, count) pairs in any order; null when empty.</summary>
    public static long? Median(IEnumerable<(long Value, long Count)> histogram)
    {
        var sorted = histogram.Where(h => h.Count > 0).OrderBy(h => h.Value).ToList();
        var total = sorted.Sum(h => h.Count);
        if (total == 0)
        {
            return null;
        }

        var rank = (total - 1) / 2;
        foreach (var (value, count) in sorted)
        {
            if (rank < count)
            {
                return value;
            }

            rank -= count;
        }

        return sorted[^1].Value;
    }
}
