using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// What an ISP receives for one listed entry: its id, expression, scope and category. Who reported it and why
/// stays with the service and the transparency log; blocking filters need only this.
/// </summary>
public sealed record ListEntry(EntryId Id, string Expression, EntryScope Scope, string Category)
{
    /// <summary>An entry whose id is derived from its expression.</summary>
    public static ListEntry Create(string expression, EntryScope scope, string category) =>
        new(EntryId.ForExpression(expression), expression, scope, category);
}
