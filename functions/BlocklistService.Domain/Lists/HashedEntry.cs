using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// A listed entry as the hashed feed carries it: id (the SHA-256 of the expression), scope and category, never the
/// expression itself.
/// </summary>
public sealed record HashedEntry(EntryId Id, EntryScope Scope, string Category)
{
    /// <summary>The hashed form of a plain entry (its expression dropped).</summary>
    public static HashedEntry From(ListEntry entry) => new(entry.Id, entry.Scope, entry.Category);
}
