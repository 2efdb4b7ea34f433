namespace BlocklistService.Domain.Publishing;

/// <summary>
/// Holds a version that would change too much of a list at once (a runaway import or a compromised hotline key):
/// more than <c>MaxShare</c> of the list, or more than <c>MaxChanges</c> entries. Versions with at most
/// <c>MinimumChanges</c> changes are never held, so that a young list can grow.
/// </summary>
public sealed record ChangeGuard(double MaxShare, int MaxChanges, int MinimumChanges)
{
    /// <summary>10% of the list or 10,000 entries; never for 100 changes or fewer.</summary>
    public static ChangeGuard Default { get; } = new(0.10, 10_000, 100);

    public bool MustHold(long countBefore, int changes)
    {
        if (changes <= MinimumChanges)
        {
            return false;
        }

        return changes > MaxChanges || changes > MaxShare * countBefore;
    }
}
