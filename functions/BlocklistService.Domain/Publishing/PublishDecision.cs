namespace BlocklistService.Domain.Publishing;

/// <summary>What a publish run does next for one list (<see cref="PublishDecision.Next"/>).</summary>
public enum ListAction
{
    /// <summary>The head names a claimed plan: finish it (a publisher crashed in it, or lost no race yet).</summary>
    ResumeInFlight,

    /// <summary>The next version is held for an admin: publish nothing (newer items wait behind it, never join it).</summary>
    WaitForHold,

    /// <summary>An admin approved the held version: publish exactly its stored change set, re-stamped to now.</summary>
    PublishApproved,

    /// <summary>Plan the next version from what is pending and due.</summary>
    Plan,
}

/// <summary>
/// The publisher's decisions that need no storage: which of resume / wait / approved / plan applies to a list, and
/// whether a version is due at all (whether it must be held is <see cref="ChangeGuard"/>'s). <c>PublishRunner</c> reads
/// the facts, asks here, and performs the steps.
/// </summary>
public static class PublishDecision
{
    /// <summary>An in-flight plan always comes first; then the hold of the next version, when there is one.</summary>
    public static ListAction Next(bool planInFlight, bool nextVersionHeld, bool nextVersionApproved) =>
        planInFlight ? ListAction.ResumeInFlight
        : nextVersionHeld ? ListAction.WaitForHold
        : nextVersionApproved ? ListAction.PublishApproved
        : ListAction.Plan;

    /// <summary>
    /// A version is due when submissions are pending, backings are due to expire, or the current manifest is older than
    /// <paramref name="refreshAfter"/> (an empty version then keeps clients from seeing it expire); the first version
    /// of a list is always due.
    /// </summary>
    public static bool IsDue(int pendingSubmissions, int dueExpiries, long version, DateTimeOffset? lastPublished, DateTimeOffset now, TimeSpan refreshAfter) =>
        pendingSubmissions > 0 || dueExpiries > 0 || version == 0 || lastPublished is null || now - lastPublished.Value >= refreshAfter;

}
