namespace BlocklistService.Domain.Publishing;

/// <summary>
/// When a version also gets a snapshot: the first version, every <c>every</c> versions, or when the deltas since the
/// last snapshot outweigh it (a client far behind would download more through deltas than through a snapshot).
/// </summary>
public static class SnapshotPolicy
{
    public static bool IsDue(long version, long lastSnapshotVersion, long deltaBytesSinceSnapshot, long lastSnapshotBytes, int every)
    {
        if (lastSnapshotVersion <= 0)
        {
            return true;
        }

        if (every > 0 && version - lastSnapshotVersion >= every)
        {
            return true;
        }

        return deltaBytesSinceSnapshot > lastSnapshotBytes;
    }
}
