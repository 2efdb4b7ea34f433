using System.Security.Cryptography;

namespace BlocklistService.Domain.Transparency;

/// <summary>RFC 6962 / RFC 9162 hashing with SHA-256: domain-separated leaves and interior nodes.</summary>
public static class MerkleHash
{
    public const int Length = 32;

    /// <summary>The root of the empty tree: SHA-256 of no bytes.</summary>
    public static byte[] Empty() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>SHA-256(0x00 ‖ leaf).</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> leaf)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x00]);
        hash.AppendData(leaf);
        return hash.GetHashAndReset();
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + left.Length + right.Length];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + left.Length)..]);
        return SHA256.HashData(input);
    }
}
