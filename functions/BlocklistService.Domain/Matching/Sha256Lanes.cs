using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace BlocklistService.Domain.Matching;

/// <summary>
/// SHA-256 (FIPS 180-4) of up to eight short messages at once, one per 32-bit lane of a 256-bit vector: a URL's
/// lookup expressions are hashed together instead of one library call each, which is what makes id matching fast
/// enough for a proxy. Messages of at most <see cref="MaxLength"/> bytes (two blocks) go through the lanes; longer
/// ones, and every message where 256-bit vectors are not hardware-accelerated, through <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>.
/// The results are byte-for-byte SHA-256 (tests compare them with the library's).
/// </summary>
internal static class Sha256Lanes
{
    public const int Lanes = 8;

    /// <summary>The longest message hashed in the lanes: two 64-byte blocks minus the padding's 9 bytes.</summary>
    public const int MaxLength = 119;

    private static readonly uint[] K =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    private static readonly uint[] Initial = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    /// <summary>True when the lanes run on vector hardware; otherwise every message goes through the library.</summary>
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;

    /// <summary>
    /// Writes the SHA-256 of each message (<paramref name="messages"/>[i] within <paramref name="data"/>) to
    /// <paramref name="digests"/>[32·i ..]: messages of one and of two blocks each go through the lanes eight at a
    /// time, longer ones through the library.
    /// </summary>
    public static void Hash(ReadOnlySpan<byte> data, ReadOnlySpan<Range> messages, Span<byte> digests)
    {
        Span<int> group = stackalloc int[Lanes];
        for (var blocks = 1; blocks <= 2; blocks++)
        {
            var count = 0;
            for (var i = 0; i < messages.Length; i++)
            {
                var length = data[messages[i]].Length;
                if (blocks == 1 && (!IsAccelerated || length > MaxLength))
                {
                    SHA256.HashData(data[messages[i]], digests.Slice(i * 32, 32));
                    continue;
                }

                if (IsAccelerated && length <= MaxLength && (length <= 55 ? 1 : 2) == blocks)
                {
                    group[count++] = i;
                    if (count == Lanes)
                    {
                        HashLanes(data, messages, group, blocks, digests);
                        count = 0;
                    }
                }
            }

            if (count > 0)
            {
                HashLanes(data, messages, group[..count], blocks, digests);
            }
        }
    }

    /// <summary>Hashes the messages <paramref name="indexes"/> (at most eight, each of <paramref name="blockCount"/> blocks once padded) in the lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HashLanes(ReadOnlySpan<byte> data, ReadOnlySpan<Range> messages, ReadOnlySpan<int> indexes, int blockCount, Span<byte> digests)
    {
        // 16 big-endian words per block and lane, padded as FIPS 180-4 §5.1.1 says
        Span<uint> words = stackalloc uint[Lanes * 32];
        words.Clear();
        Span<byte> block = stackalloc byte[128];
        for (var lane = 0; lane < indexes.Length; lane++)
        {
            var message = data[messages[indexes[lane]]];
            block.Clear();
            message.CopyTo(block);
            block[message.Length] = 0x80;
            BinaryPrimitives.WriteUInt64BigEndian(block.Slice((blockCount * 64) - 8), (ulong)message.Length * 8);
            for (var w = 0; w < blockCount * 16; w++)
            {
                words[(lane * 32) + w] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(w * 4));
            }
        }

        var a = Vector256.Create(Initial[0]);
        var b = Vector256.Create(Initial[1]);
        var c = Vector256.Create(Initial[2]);
        var d = Vector256.Create(Initial[3]);
        var e = Vector256.Create(Initial[4]);
        var f = Vector256.Create(Initial[5]);
        var g = Vector256.Create(Initial[6]);
        var h = Vector256.Create(Initial[7]);
        Span<Vector256<uint>> w64 = stackalloc Vector256<uint>[64];
        for (var blockIndex = 0; blockIndex < blockCount; blockIndex++)
        {
            for (var t = 0; t < 16; t++)
            {
                var at = (blockIndex * 16) + t;
                w64[t] = Vector256.Create(words[at], words[32 + at], words[64 + at], words[96 + at], words[128 + at], words[160 + at], words[192 + at], words[224 + at]);
            }

            for (var t = 16; t < 64; t++)
            {
                var w15 = w64[t - 15];
                var w2 = w64[t - 2];
                var s0 = Rotr(w15, 7) ^ Rotr(w15, 18) ^ Vector256.ShiftRightLogical(w15, 3);
                var s1 = Rotr(w2, 17) ^ Rotr(w2, 19) ^ Vector256.ShiftRightLogical(w2, 10);
                w64[t] = w64[t - 16] + s0 + w64[t - 7] + s1;
            }

            var (a0, b0, c0, d0, e0, f0, g0, h0) = (a, b, c, d, e, f, g, h);
            for (var t = 0; t < 64; t++)
            {
                var s1 = Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25);
                var ch = (e & f) ^ Vector256.AndNot(g, e);
                var temp1 = h + s1 + ch + Vector256.Create(K[t]) + w64[t];
                var s0 = Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22);
                var maj = (a & b) ^ (a & c) ^ (b & c);
                h = g;
                g = f;
                f = e;
                e = d + temp1;
                d = c;
                c = b;
                b = a;
                a = temp1 + s0 + maj;
            }

            (a, b, c, d, e, f, g, h) = (a + a0, b + b0, c + c0, d + d0, e + e0, f + f0, g + g0, h + h0);
        }

        Span<Vector256<uint>> state = [a, b, c, d, e, f, g, h];
        for (var lane = 0; lane < indexes.Length; lane++)
        {
            var digest = digests.Slice(indexes[lane] * 32, 32);
            for (var word = 0; word < 8; word++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(digest.Slice(word * 4), state[word].GetElement(lane));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotr(Vector256<uint> x, int n) => Vector256.ShiftRightLogical(x, n) | Vector256.ShiftLeft(x, 32 - n);
}
