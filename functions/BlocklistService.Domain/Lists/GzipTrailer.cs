using System.Buffers.Binary;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// Checks a single-member gzip file's trailer (CRC-32 and length of the decompressed data, RFC 1952 §2.3.1), which
/// the decompressor does not: a truncated or altered file is then reported as such, not parsed as a shorter one.
/// </summary>
internal static class GzipTrailer
{
    private static readonly uint[] Table = BuildTable();

    public static bool Matches(ReadOnlySpan<byte> compressed, ReadOnlySpan<byte> decompressed)
    {
        var trailer = compressed[^8..];
        return BinaryPrimitives.ReadUInt32LittleEndian(trailer) == Crc32(decompressed)
            && BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]) == unchecked((uint)decompressed.Length);
    }

    /// <summary>CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320), as gzip uses.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
