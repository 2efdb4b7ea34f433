using BlocklistService.Domain.Lists;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Stores;

/// <summary>
/// The <c>lists</c> table's head rows (<see cref="ListHeadRows"/>). A list exists once its head row exists; the API
/// creates heads at version 0 and the publisher extends them.
/// </summary>
public sealed class ListCatalog(IRowStore rows)
{
    /// <summary>Creates the head row at version 0 unless it exists; true when it was created now.</summary>
    public async Task<bool> EnsureAsync(ListName name, CancellationToken cancellationToken)
    {
        try
        {
            await rows.AddAsync(StorageNames.Lists, ListHeadRows.New(name.Value), cancellationToken);
            return true;
        }
        catch (RowConflictException)
        {
            return false;
        }
    }

    /// <summary>The names of every existing list.</summary>
    public async Task<IReadOnlySet<string>> NamesAsync(CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in rows.QueryAsync(StorageNames.Lists, ListHeadRows.Partition, null, null, cancellationToken))
        {
            names.Add(row.RowKey);
        }

        return names;
    }
}
