namespace BlocklistService.Domain.Transparency;

/// <summary>
/// Checks inclusion and consistency proofs exactly as RFC 9162 §2.1.3.2 and §2.1.4.2 describe, plus the usual
/// edge conventions (equal sizes need an empty proof and equal roots; a first size of 0 or a second size below
/// the first is refused). Every hash must be 32 bytes. A failure says why.
/// </summary>
public static class MerkleVerifier
{
    /// <summary>Null when <paramref name="proof"/> shows <paramref name="leafHash"/> at <paramref name="index"/> in the tree of <paramref name="size"/> leaves with <paramref name="root"/>; otherwise the reason.</summary>
    public static string? CheckInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (leafHash.Length != MerkleHash.Length || root.Length != MerkleHash.Length)
        {
            return "the leaf hash and the root must be 32 bytes";
        }

        if (proof.Any(p => p.Length != MerkleHash.Length))
        {
            return "every proof hash must be 32 bytes";
        }

        if (index < 0 || index >= size)
        {
            return $"leaf index {index} is outside a tree of size {size}";
        }

        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return "the proof is longer than the tree is deep";
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return "the proof is shorter than the tree is deep";
        }

        return r.AsSpan().SequenceEqual(root) ? null : "the proof leads to a different root";
    }

    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root) =>
        CheckInclusion(index, size, leafHash, proof, root) is null;

    /// <summary>Null when <paramref name="proof"/> shows the tree of <paramref name="first"/> leaves is a prefix of the tree of <paramref name="second"/> leaves; otherwise the reason.</summary>
    public static string? CheckConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        if (firstRoot.Length != MerkleHash.Length || secondRoot.Length != MerkleHash.Length)
        {
            return "both roots must be 32 bytes";
        }

        if (proof.Any(p => p.Length != MerkleHash.Length))
        {
            return "every proof hash must be 32 bytes";
        }

        if (first < 1)
        {
            return "the first size must be at least 1";
        }

        if (second < first)
        {
            return $"the second size ({second}) is smaller than the first ({first})";
        }

        if (first == second)
        {
            if (proof.Count != 0)
            {
                return "equal sizes need an empty proof";
            }

            return firstRoot.SequenceEqual(secondRoot) ? null : "equal sizes with different roots";
        }

        if (proof.Count == 0)
        {
            return "the proof is empty";
        }

        var path = new List<byte[]>(proof.Count + 1);
        if ((first & (first - 1)) == 0)
        {
            path.Add(firstRoot.ToArray());
        }

        path.AddRange(proof);
        var fn = first - 1;
        var sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var fr = path[0];
        var sr = path[0];
        for (var i = 1; i < path.Count; i++)
        {
            var c = path[i];
            if (sn == 0)
            {
                return "the proof is longer than the tree is deep";
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return "the proof is shorter than the tree is deep";
        }

        if (!fr.AsSpan().SequenceEqual(firstRoot))
        {
            return "the proof does not lead to the first root";
        }

        return sr.AsSpan().SequenceEqual(secondRoot) ? null : "the proof does not lead to the second root";
    }

    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof) =>
        CheckConsistency(first, second, firstRoot, secondRoot, proof) is null;
}
