using System.Runtime.CompilerServices;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Sync;

/// <summary>A delta applied to a state file: the new version written to a new file, and the entries it removed and added.</summary>
public sealed record MergedDelta(HeldList List, IReadOnlyList<ListEntry> Removed, IReadOnlyList<ListEntry> Added);

/// <summary>
/// Applies a delta to a state file by one streaming merge of the file's records (in id order) with the delta's
/// removes and adds (sorted the same way) into a new file: records the delta does not touch are copied unchanged, so
/// the cost is one sequential copy plus the change. The checksum moves from the old one by the changed ids only. The
/// delta rules of docs/protocol.md §3.2 are checked during the merge (every removed id present, every added id absent
/// once the removes are done); on any violation the new file is deleted and nothing else changes.
/// </summary>
public static class DeltaMerge
{
    /// <summary>The merged list, or throws <see cref="DeltaMismatchException"/> saying why the delta does not apply.</summary>
    public static MergedDelta Apply(HeldList held, Delta delta, byte[] manifest, string outputPath, DateTimeOffset appliedAt, CancellationToken cancellationToken) =>
        Apply(held, (delta.List, delta.FromVersion, delta.ToVersion), delta.Removes, delta.Adds, manifest, outputPath, appliedAt, cancellationToken);

    /// <summary>
    /// A hashed feed's delta applied to a hashed state: the same merge, its adds written with an empty expression (a
    /// hashed state file holds none).
    /// </summary>
    public static MergedDelta Apply(HeldList held, HashedDelta delta, byte[] manifest, string outputPath, DateTimeOffset appliedAt, CancellationToken cancellationToken) =>
        Apply(held, (delta.List, delta.FromVersion, delta.ToVersion), delta.Removes, delta.Adds.Select(e => new ListEntry(e.Id, string.Empty, e.Scope, e.Category)).ToList(), manifest, outputPath, appliedAt, cancellationToken);

    // Its loop runs once per record of a million-entry file in a short-lived process: compiled optimized at once, not tiered up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static MergedDelta Apply(HeldList held, (ListName List, long FromVersion, long ToVersion) delta, IReadOnlyList<EntryId> deltaRemoves, IReadOnlyList<ListEntry> deltaAdds, byte[] manifest, string outputPath, DateTimeOffset appliedAt, CancellationToken cancellationToken)
    {
        if (delta.List != held.List)
        {
            throw new DeltaMismatchException($"the delta is for list '{delta.List}', not '{held.List}'");
        }

        if (delta.FromVersion != held.Version)
        {
            throw new DeltaMismatchException($"the delta applies to version {delta.FromVersion}, the list is at version {held.Version}");
        }

        var removes = deltaRemoves.Select(id => (Raw: id.ToBytes(), Id: id)).OrderBy(r => r.Raw, ByteOrder.Instance).ToArray();
        var adds = deltaAdds.Select(e => (Raw: e.Id.ToBytes(), Entry: e)).OrderBy(a => a.Raw, ByteOrder.Instance).ToArray();
        for (var i = 1; i < adds.Length; i++)
        {
            if (ByteOrder.Instance.Compare(adds[i - 1].Raw, adds[i].Raw) == 0)
            {
                throw new DeltaMismatchException($"the delta adds {adds[i].Entry.Id} twice");
            }
        }

        var removed = new List<ListEntry>(removes.Length);
        var r = 0;
        var a = 0;
        using var writer = new StateFileWriter(outputPath);
        if (held.EntriesPath is { } input)
        {
            using var reader = StateFileReader.Open(input, held.List);
            var copied = 0;
            while (reader.Next())
            {
                if ((++copied & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var id = reader.Id;
                while (a < adds.Length && adds[a].Raw.AsSpan().SequenceCompareTo(id) < 0)
                {
                    writer.Write(adds[a++].Entry);
                }

                if (r < removes.Length)
                {
                    var order = removes[r].Raw.AsSpan().SequenceCompareTo(id);
                    if (order < 0)
                    {
                        throw new DeltaMismatchException($"the delta removes {removes[r].Id}, which is not listed");
                    }

                    if (order == 0)
                    {
                        removed.Add(reader.ToEntry());
                        r++;
                        continue;
                    }
                }

                if (a < adds.Length && adds[a].Raw.AsSpan().SequenceEqual(id))
                {
                    throw new DeltaMismatchException($"the delta adds {adds[a].Entry.Id}, which is already listed");
                }

                writer.WriteRaw(reader.Record);
            }
        }

        if (r < removes.Length)
        {
            throw new DeltaMismatchException($"the delta removes {removes[r].Id}, which is not listed");
        }

        while (a < adds.Length)
        {
            writer.Write(adds[a++].Entry);
        }

        var checksum = held.Checksum.Clone();
        if (removes.Length + adds.Length > 0)
        {
            checksum.Subtract(Sum(removes.Select(x => x.Raw)));
            checksum.Add(Sum(adds.Select(x => x.Raw)));
        }

        var result = HeldList.Written(held.List, delta.ToVersion, writer.Count, checksum, manifest, outputPath, held.Feed);
        writer.Finish(result.Header(appliedAt));
        return new MergedDelta(result, removed, adds.Select(x => x.Entry).ToList());
    }

    private static LtHash16 Sum(IEnumerable<byte[]> ids)
    {
        using var sum = new ParallelChecksum();
        foreach (var id in ids)
        {
            sum.Add(id, []);
        }

        return sum.Complete().Checksum;
    }

    /// <summary>Orders raw ids as the protocol does (byte order = order of the lowercase hex).</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}

/// <summary>A delta that does not belong to the list held (docs/protocol.md §3.2).</summary>
public sealed class DeltaMismatchException(string message) : Exception(message);
