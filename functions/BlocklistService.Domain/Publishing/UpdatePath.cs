namespace BlocklistService.Domain.Publishing;

/// <summary>One file a client fetches to move forward: a delta to a version, or the snapshot at a version.</summary>
public sealed record UpdateStep(string Kind, long Version);

/// <summary>
/// Chooses how a client at <c>since</c> reaches <c>current</c>: the deltas after <c>since</c>, or the latest snapshot
/// and the deltas after it when that is fewer bytes or <c>since</c> is unknown (0, in the future, or older than the
/// first version the deltas cover).
/// </summary>
public static class UpdatePath
{
    public const string Delta = "delta";
    public const string Snapshot = "snapshot";

    /// <param name="deltaSize">Size in bytes of the delta to a version (versions 1..current).</param>
    public static IReadOnlyList<UpdateStep> Plan(long since, long current, long snapshotVersion, long snapshotSize, Func<long, long> deltaSize)
    {
        ArgumentNullException.ThrowIfNull(deltaSize);
        if (since == current)
        {
            return [];
        }

        var viaSnapshot = new List<UpdateStep>();
        long snapshotBytes = 0;
        if (snapshotVersion > 0)
        {
            viaSnapshot.Add(new UpdateStep(Snapshot, snapshotVersion));
            snapshotBytes = snapshotSize;
            for (var v = snapshotVersion + 1; v <= current; v++)
            {
                viaSnapshot.Add(new UpdateStep(Delta, v));
                snapshotBytes += deltaSize(v);
            }
        }

        var known = since > 0 && since < current;
        if (snapshotVersion <= 0)
        {
            return Deltas(known ? since : 0, current);
        }

        if (!known)
        {
            return viaSnapshot;
        }

        if (since >= snapshotVersion)
        {
            return Deltas(since, current);
        }

        long deltaBytes = 0;
        for (var v = since + 1; v <= current && deltaBytes <= snapshotBytes; v++)
        {
            deltaBytes += deltaSize(v);
        }

        return deltaBytes <= snapshotBytes ? Deltas(since, current) : viaSnapshot;
    }

    private static IReadOnlyList<UpdateStep> Deltas(long since, long current)
    {
        var steps = new List<UpdateStep>();
        for (var v = since + 1; v <= current; v++)
        {
            steps.Add(new UpdateStep(Delta, v));
        }

        return steps;
    }
}
