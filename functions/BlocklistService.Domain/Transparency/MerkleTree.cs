using System.Numerics;

namespace BlocklistService.Domain.Transparency;

/// <summary>
/// The Merkle tree maths of RFC 6962 §2.1 / RFC 9162 §2.1: which complete subtrees make up a root, an inclusion
/// proof or a consistency proof (as <see cref="ProofPlan"/>s a store answers in O(log n) node reads), the nodes an
/// append completes, and straightforward in-memory versions over all leaf hashes (for small trees and as a
/// reference in tests).
/// </summary>
public static class MerkleTree
{
    /// <summary>The coordinates whose fold is the root of the first <paramref name="size"/> leaves (size ≥ 1).</summary>
    public static ProofElement RootPlan(long size)
    {
        if (size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "the empty tree's root is MerkleHash.Empty()");
        }

        return Range(0, size);
    }

    /// <summary>The root of the first <paramref name="size"/> leaves from stored node hashes; the empty root for size 0.</summary>
    public static byte[] Root(long size, Func<NodeCoordinate, byte[]> hashOf) =>
        size == 0 ? MerkleHash.Empty() : RootPlan(size).Combine(hashOf);

    /// <summary>The inclusion proof of leaf <paramref name="index"/> in a tree of <paramref name="size"/> leaves (RFC 6962 PATH).</summary>
    public static ProofPlan InclusionPlan(long index, long size)
    {
        if (index < 0 || index >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"need 0 <= index < size (index {index}, size {size})");
        }

        var elements = new List<ProofElement>();
        Path(index, 0, size, elements);
        return new ProofPlan(elements);
    }

    /// <summary>The consistency proof between sizes <paramref name="first"/> and <paramref name="second"/> (RFC 6962 PROOF); 0 &lt; first ≤ second.</summary>
    public static ProofPlan ConsistencyPlan(long first, long second)
    {
        if (first < 1 || first > second)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"need 0 < first <= second (first {first}, second {second})");
        }

        var elements = new List<ProofElement>();
        SubProof(first, 0, second, true, elements);
        return new ProofPlan(elements);
    }

    /// <summary>
    /// The complete subtrees that appending a leaf at <paramref name="index"/> finishes, lowest first: the leaf itself
    /// (level 0), then each parent whose right child just became complete. Their hashes are
    /// Node(left sibling, right child); see <see cref="Append"/>.
    /// </summary>
    public static IReadOnlyList<NodeCoordinate> CompletedBy(long index)
    {
        var result = new List<NodeCoordinate> { new(0, index) };
        var level = 0;
        while ((index & 1) == 1)
        {
            index >>= 1;
            level++;
            result.Add(new NodeCoordinate(level, index));
        }

        return result;
    }

    /// <summary>
    /// Appends leaf hashes to a tree of <paramref name="size"/> leaves and returns every complete-subtree hash this
    /// creates (to store), reading only existing left siblings on the right edge (at most log n of them) through
    /// <paramref name="existing"/>.
    /// </summary>
    public static IReadOnlyDictionary<NodeCoordinate, byte[]> Append(long size, IReadOnlyList<byte[]> leafHashes, Func<NodeCoordinate, byte[]> existing)
    {
        var created = new Dictionary<NodeCoordinate, byte[]>();
        byte[] HashOf(NodeCoordinate c) => created.TryGetValue(c, out var hash) ? hash : existing(c);
        for (var i = 0; i < leafHashes.Count; i++)
        {
            var index = size + i;
            var hash = leafHashes[i];
            var coordinate = new NodeCoordinate(0, index);
            created[coordinate] = hash;
            while ((coordinate.Index & 1) == 1)
            {
                var left = HashOf(coordinate with { Index = coordinate.Index - 1 });
                coordinate = new NodeCoordinate(coordinate.Level + 1, coordinate.Index >> 1);
                hash = MerkleHash.Node(left, hash);
                created[coordinate] = hash;
            }
        }

        return created;
    }

    /// <summary>MTH over all of <paramref name="leafHashes"/> (RFC 6962 §2.1), computed directly.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes) =>
        leafHashes.Count == 0 ? MerkleHash.Empty() : RangeRoot(leafHashes, 0, leafHashes.Count);

    /// <summary>The hash of one complete subtree, computed directly from the leaf hashes.</summary>
    public static byte[] NodeHash(IReadOnlyList<byte[]> leafHashes, NodeCoordinate coordinate) =>
        RangeRoot(leafHashes, checked((int)coordinate.FirstLeaf), checked((int)(1L << coordinate.Level)));

    /// <summary>RFC 6962 PATH(m, D[n]) computed directly by recursion over the leaf hashes.</summary>
    public static IReadOnlyList<byte[]> InclusionProof(IReadOnlyList<byte[]> leafHashes, long index, long size)
    {
        var proof = new List<byte[]>();
        DirectPath(leafHashes, (int)index, 0, (int)size, proof);
        return proof;
    }

    /// <summary>RFC 6962 PROOF(m, D[n]) computed directly by recursion over the leaf hashes.</summary>
    public static IReadOnlyList<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leafHashes, long first, long second)
    {
        var proof = new List<byte[]>();
        DirectSubProof(leafHashes, (int)first, 0, (int)second, true, proof);
        return proof;
    }

    /// <summary>The largest power of two strictly less than <paramref name="n"/> (n ≥ 2).</summary>
    internal static long Split(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    /// <summary>
    /// The range [start, end) of an RFC 6962 subtree truncated at the tree's right edge, as complete subtrees of
    /// decreasing size (the binary digits of its length); start is aligned to each of them.
    /// </summary>
    internal static ProofElement Range(long start, long end)
    {
        var nodes = new List<NodeCoordinate>();
        while (start < end)
        {
            var level = 63 - BitOperations.LeadingZeroCount((ulong)(end - start));
            nodes.Add(new NodeCoordinate(level, start >> level));
            start += 1L << level;
        }

        return new ProofElement(nodes);
    }

    private static void Path(long m, long start, long n, List<ProofElement> output)
    {
        if (n == 1)
        {
            return;
        }

        var k = Split(n);
        if (m < k)
        {
            Path(m, start, k, output);
            output.Add(Range(start + k, start + n));
        }
        else
        {
            Path(m - k, start + k, n - k, output);
            output.Add(Range(start, start + k));
        }
    }

    private static void SubProof(long m, long start, long n, bool complete, List<ProofElement> output)
    {
        if (m == n)
        {
            if (!complete)
            {
                output.Add(Range(start, start + n));
            }

            return;
        }

        var k = Split(n);
        if (m <= k)
        {
            SubProof(m, start, k, complete, output);
            output.Add(Range(start + k, start + n));
        }
        else
        {
            SubProof(m - k, start + k, n - k, false, output);
            output.Add(Range(start, start + k));
        }
    }

    private static byte[] RangeRoot(IReadOnlyList<byte[]> leaves, int start, int count)
    {
        if (count == 1)
        {
            return leaves[start];
        }

        var k = (int)Split(count);
        return MerkleHash.Node(RangeRoot(leaves, start, k), RangeRoot(leaves, start + k, count - k));
    }

    private static void DirectPath(IReadOnlyList<byte[]> leaves, int m, int start, int n, List<byte[]> output)
    {
        if (n == 1)
        {
            return;
        }

        var k = (int)Split(n);
        if (m < k)
        {
            DirectPath(leaves, m, start, k, output);
            output.Add(RangeRoot(leaves, start + k, n - k));
        }
        else
        {
            DirectPath(leaves, m - k, start + k, n - k, output);
            output.Add(RangeRoot(leaves, start, k));
        }
    }

    private static void DirectSubProof(IReadOnlyList<byte[]> leaves, int m, int start, int n, bool complete, List<byte[]> output)
    {
        if (m == n)
        {
            if (!complete)
            {
                output.Add(RangeRoot(leaves, start, n));
            }

            return;
        }

        var k = (int)Split(n);
        if (m <= k)
        {
            DirectSubProof(leaves, m, start, k, complete, output);
            output.Add(RangeRoot(leaves, start + k, n - k));
        }
        else
        {
            DirectSubProof(leaves, m - k, start + k, n - k, false, output);
            output.Add(RangeRoot(leaves, start, k));
        }
    }
}
