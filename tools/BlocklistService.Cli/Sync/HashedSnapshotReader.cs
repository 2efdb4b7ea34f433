using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Sync;

/// <summary>
/// Reads a <c>blocklist-hashed-snapshot/1</c> through the domain's parser and writes its entries into a state file
/// with empty expressions, summing the LtHash16 checksum of the ids on every core as it goes.
/// </summary>
public static class HashedSnapshotReader
{
    /// <summary>Parses <paramref name="gzip"/> into <paramref name="writer"/>; a problem is a <see cref="SnapshotFormatException"/>.</summary>
    public static SnapshotContent Read(byte[] gzip, StateFileWriter writer)
    {
        var parsed = HashedSnapshot.FromGzip(gzip);
        if (!parsed.IsSuccess)
        {
            throw new SnapshotFormatException(parsed.Error!);
        }

        var snapshot = parsed.Value;
        using var checksum = new ParallelChecksum();
        Span<byte> id = stackalloc byte[32];
        foreach (var entry in snapshot.Entries)
        {
            Convert.FromHexString(entry.Id.Hex, id, out _, out _);
            var category = System.Text.Encoding.UTF8.GetBytes(entry.Category);
            writer.Write(id, entry.Scope, [], category);
            checksum.Add(id, []);
        }

        var (sum, problem) = checksum.Complete();
        if (problem is not null)
        {
            throw new SnapshotFormatException($"entries: {problem}");
        }

        return new SnapshotContent(snapshot.List, snapshot.Version, writer.Count, sum);
    }
}
