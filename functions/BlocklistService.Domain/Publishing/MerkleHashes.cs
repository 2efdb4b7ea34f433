using System.Security.Cryptography;

namespace BlocklistService.Domain.Publishing;

/// <summary>RFC 6962 hashing: leaf = SHA-256(0x00 ‖ leaf), node = SHA-256(0x01 ‖ left ‖ right), empty tree = SHA-256("").</summary>
public static class MerkleHashes
{
    public static byte[] Leaf(ReadOnlySpan<byte> leaf)
    {
        var buffer = new byte[leaf.Length + 1];
        leaf.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[65];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[33..]);
        return SHA256.HashData(buffer);
    }

    public static byte[] Empty() => SHA256.HashData([]);

    /// <summary>
    /// The perfect subtrees a tree of <paramref name="size"/> leaves decomposes into, left to right, as
    /// (level, index) with index counted in subtrees of that level. The root is their hashes folded from the right.
    /// </summary>
    public static IReadOnlyList<(int Level, long Index)> PerfectSubtrees(long size)
    {
        var result = new List<(int, long)>();
        long offset = 0;
        for (var level = 62; level >= 0; level--)
        {
            var width = 1L << level;
            if ((size & width) != 0)
            {
                result.Add((level, offset >> level));
                offset += width;
            }
        }

        return result;
    }

    /// <summary>Folds subtree hashes (left to right) into the root: N(s1, N(s2, … N(sk-1, sk))).</summary>
    public static byte[] FoldRoot(IReadOnlyList<byte[]> subtrees)
    {
        if (subtrees.Count == 0)
        {
            return Empty();
        }

        var root = subtrees[^1];
        for (var i = subtrees.Count - 2; i >= 0; i--)
        {
            root = Node(subtrees[i], root);
        }

        return root;
    }

    /// <summary>The root computed directly from all leaves (RFC 6962 MTH); for tests and audits of small trees.</summary>
    public static byte[] RootOf(IReadOnlyList<byte[]> leaves) => Mth(leaves, 0, leaves.Count);

    private static byte[] Mth(IReadOnlyList<byte[]> leaves, int start, int count)
    {
        if (count == 0)
        {
            return Empty();
        }

        if (count == 1)
        {
            return Leaf(leaves[start]);
        }

        var k = 1;
        while (k * 2 < count)
        {
            k *= 2;
        }

        return Node(Mth(leaves, start, k), Mth(leaves, start + k, count - k));
    }
}
