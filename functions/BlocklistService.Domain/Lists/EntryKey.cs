using System.Buffers.Binary;
using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>An entry id as 32 raw bytes in four words: a compact dictionary key for million-entry list states.</summary>
internal readonly record struct EntryKey(ulong A, ulong B, ulong C, ulong D)
{
    public static EntryKey From(EntryId id)
    {
        Span<byte> raw = stackalloc byte[32];
        Convert.FromHexString(id.Hex, raw, out _, out _);
        return From(raw);
    }

    public static EntryKey From(ReadOnlySpan<byte> raw) => new(
        BinaryPrimitives.ReadUInt64BigEndian(raw),
        BinaryPrimitives.ReadUInt64BigEndian(raw[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(raw[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(raw[24..]));

    public void WriteTo(Span<byte> raw)
    {
        BinaryPrimitives.WriteUInt64BigEndian(raw, A);
        BinaryPrimitives.WriteUInt64BigEndian(raw[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(raw[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(raw[24..], D);
    }

    public EntryId ToEntryId()
    {
        Span<byte> raw = stackalloc byte[32];
        WriteTo(raw);
        EntryId.TryParse(Convert.ToHexStringLower(raw), out var id);
        return id;
    }

    // HashCode.Combine is seeded per process, so crafted ids cannot force bucket collisions.
    public override int GetHashCode() => HashCode.Combine(A, B, C, D);
}
