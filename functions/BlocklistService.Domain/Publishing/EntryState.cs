using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Publishing;

/// <summary>
/// An entry of one list as the publisher stores it: what it blocks and which hotlines back it. The entry is listed
/// exactly when at least one hotline backs it; <see cref="AddedIn"/> and <see cref="RemovedIn"/> name the versions
/// of its latest listing and unlisting.
/// </summary>
public sealed record EntryState(
    EntryId Id,
    string Expression,
    EntryScope Scope,
    string Category,
    IReadOnlyList<Backing> Backings,
    long? AddedIn,
    long? RemovedIn)
{
    /// <summary>True when at least one hotline backs the entry, i.e. ISPs must block it.</summary>
    public bool IsListed => Backings.Count > 0;

    /// <summary>What ISPs receive for this entry.</summary>
    public ListEntry ToListEntry() => new(Id, Expression, Scope, Category);

    /// <summary>The backing of <paramref name="hotline"/>, or null.</summary>
    public Backing? BackingOf(string hotline)
    {
        foreach (var backing in Backings)
        {
            if (string.Equals(backing.Hotline, hotline, StringComparison.Ordinal))
            {
                return backing;
            }
        }

        return null;
    }
}
