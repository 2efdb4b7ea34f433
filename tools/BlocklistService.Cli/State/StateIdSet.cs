using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Matching;

namespace BlocklistService.Cli.State;

/// <summary>
/// The ids of a state file (plain or hashed) as the domain's compact <see cref="EntryIdSet"/>: what a URL is matched
/// against by hashing its lookup expressions. Reads the file to the end, so a damaged file is refused, not half-used.
/// </summary>
public static class StateIdSet
{
    /// <summary>Loads the ids of <paramref name="path"/>, with the head they were read under.</summary>
    public static (StateFileHeader Header, EntryIdSet Ids) Load(string path, ListName list, CancellationToken cancellationToken)
    {
        using var reader = StateFileReader.Open(path, list);
        var builder = new EntryIdSet.Builder((int)Math.Min(reader.Header.Count, int.MaxValue / EntryIdSet.IdLength));
        var read = 0;
        while (reader.Next())
        {
            if ((++read & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            builder.Add(reader.Id);
        }

        return (reader.Header, builder.Build());
    }
}
