using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// The list checksum behind the manifest's <c>stateHash</c>: LtHash16 (Lewi et al., "Securing Update Propagation
/// with Homomorphic Hashing", 2019) over the listed entry ids. Each id expands through SHAKE128 to 1024 16-bit
/// lanes; the checksum is the lane-wise sum mod 2^16 over all ids. Adding or removing an id costs one SHAKE128 call
/// whatever the list size, and the result does not depend on the order in which ids were added.
/// </summary>
public sealed class LtHash16 : IEquatable<LtHash16>
{
    /// <summary>Number of 16-bit lanes.</summary>
    public const int LaneCount = 1024;

    /// <summary>Size of the checksum in bytes (lanes little-endian).</summary>
    public const int ByteLength = LaneCount * sizeof(ushort);

    /// <summary>Domain separation: the ASCII bytes of <c>blocklist-lthash16/1</c> followed by one 0x00 byte.</summary>
    public static ReadOnlySpan<byte> DomainPrefix => "blocklist-lthash16/1\0"u8;

    private readonly ushort[] _lanes;

    /// <summary>The checksum of the empty set (all lanes zero).</summary>
    public LtHash16() => _lanes = new ushort[LaneCount];

    private LtHash16(ushort[] lanes) => _lanes = lanes;

    /// <summary>Restores a checksum from its 2048 bytes (as stored in the list head).</summary>
    public static Result<LtHash16> FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            return Result<LtHash16>.Failure($"checksum: expected {ByteLength} bytes, found {bytes.Length}");
        }

        var lanes = new ushort[LaneCount];
        for (var i = 0; i < LaneCount; i++)
        {
            lanes[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]);
        }

        return Result<LtHash16>.Success(new LtHash16(lanes));
    }

    /// <summary>The checksum of a set of ids (each must appear once; the order does not matter).</summary>
    public static LtHash16 Of(IEnumerable<EntryId> ids)
    {
        var hash = new LtHash16();
        hash.Update([], ids.Select(EntryKey.From).ToList());
        return hash;
    }

    /// <summary>The 1024 lanes of one id: SHAKE128(<see cref="DomainPrefix"/> ‖ 32 id bytes), 2048 bytes, read as little-endian uint16.</summary>
    public static void ExpandInto(ReadOnlySpan<byte> id32, Span<ushort> lanes)
    {
        using var shake = new Shake128();
        ExpandInto(shake, id32, lanes);
    }

    /// <summary>As above with a reusable SHAKE128 instance (creating one per id dominates the cost otherwise).</summary>
    public static void ExpandInto(Shake128 shake, ReadOnlySpan<byte> id32, Span<ushort> lanes)
    {
        if (id32.Length != 32 || lanes.Length != LaneCount)
        {
            throw new ArgumentException("expects a 32-byte id and 1024 lanes");
        }

        shake.AppendData(DomainPrefix);
        shake.AppendData(id32);
        shake.GetHashAndReset(MemoryMarshal.AsBytes(lanes));
        if (!BitConverter.IsLittleEndian)
        {
            for (var i = 0; i < lanes.Length; i++)
            {
                lanes[i] = BinaryPrimitives.ReverseEndianness(lanes[i]);
            }
        }
    }

    /// <summary>Adds one id to the set.</summary>
    public void Add(EntryId id) => Update(id, subtract: false);

    /// <summary>Removes one id from the set (the caller guarantees it was in it).</summary>
    public void Remove(EntryId id) => Update(id, subtract: true);

    /// <summary>Adds one id given as its 32 raw bytes.</summary>
    public void Add(ReadOnlySpan<byte> id32) => Update(id32, subtract: false);

    /// <summary>Removes one id given as its 32 raw bytes.</summary>
    public void Remove(ReadOnlySpan<byte> id32) => Update(id32, subtract: true);

    /// <summary>Adds one id already expanded by <see cref="ExpandInto(Shake128, ReadOnlySpan{byte}, Span{ushort})"/> (callers that expand on their own threads).</summary>
    public void AddExpanded(ReadOnlySpan<ushort> lanes)
    {
        if (lanes.Length != LaneCount)
        {
            throw new ArgumentException("expects 1024 lanes", nameof(lanes));
        }

        Add(_lanes, lanes);
    }

    /// <summary>
    /// Removes <paramref name="removes"/> and adds <paramref name="adds"/>. Large batches are split across cores, each
    /// part summing into its own lanes; the parts are then added together, so the result is the same in any order.
    /// </summary>
    internal void Update(IReadOnlyList<EntryKey> removes, IReadOnlyList<EntryKey> adds)
    {
        const int PartSize = 2048;
        var total = removes.Count + adds.Count;
        var parts = Math.Min(Environment.ProcessorCount, (total + PartSize - 1) / PartSize);
        if (parts <= 1)
        {
            Accumulate(_lanes, removes, adds, 0, total);
            return;
        }

        var sums = new ushort[parts][];
        Parallel.For(0, parts, part =>
        {
            var lanes = new ushort[LaneCount];
            Accumulate(lanes, removes, adds, (int)((long)total * part / parts), (int)((long)total * (part + 1) / parts));
            sums[part] = lanes;
        });
        foreach (var sum in sums)
        {
            Add(_lanes, sum);
        }
    }

    /// <summary>Sums the lanes of changes [start, end) (removes first, then adds) into <paramref name="target"/>.</summary>
    private static void Accumulate(Span<ushort> target, IReadOnlyList<EntryKey> removes, IReadOnlyList<EntryKey> adds, int start, int end)
    {
        using var shake = new Shake128();
        Span<byte> id = stackalloc byte[32];
        Span<ushort> lanes = stackalloc ushort[LaneCount];
        for (var i = start; i < end; i++)
        {
            var remove = i < removes.Count;
            (remove ? removes[i] : adds[i - removes.Count]).WriteTo(id);
            ExpandInto(shake, id, lanes);
            if (remove)
            {
                Subtract(target, lanes);
            }
            else
            {
                Add(target, lanes);
            }
        }
    }

    /// <summary>Adds every lane of <paramref name="other"/> (the union of two disjoint sets).</summary>
    public void Add(LtHash16 other) => Add(_lanes, other._lanes);

    /// <summary>Subtracts every lane of <paramref name="other"/>.</summary>
    public void Subtract(LtHash16 other) => Subtract(_lanes, other._lanes);

    public LtHash16 Clone() => new((ushort[])_lanes.Clone());

    /// <summary>The 2048 checksum bytes: lane 0 first, each lane little-endian.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[ByteLength];
        for (var i = 0; i < LaneCount; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), _lanes[i]);
        }

        return bytes;
    }

    /// <summary>The manifest's <c>stateHash</c>: lowercase hex SHA-256 of <see cref="ToBytes"/>.</summary>
    public string StateHash => Convert.ToHexStringLower(SHA256.HashData(ToBytes()));

    /// <summary>The state hash of a set of ids, computed from scratch.</summary>
    public static string StateHashOf(IEnumerable<EntryId> ids) => Of(ids).StateHash;

    /// <summary>The state hash of the empty list.</summary>
    public static string EmptyStateHash => new LtHash16().StateHash;

    public bool Equals(LtHash16? other) => other is not null && _lanes.AsSpan().SequenceEqual(other._lanes);

    public override bool Equals(object? obj) => Equals(obj as LtHash16);

    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(MemoryMarshal.AsBytes(_lanes.AsSpan()));

    public override string ToString() => StateHash;

    private void Update(EntryId id, bool subtract)
    {
        Span<byte> raw = stackalloc byte[32];
        Convert.FromHexString(id.Hex, raw, out _, out _);
        Update(raw, subtract);
    }

    private void Update(ReadOnlySpan<byte> id32, bool subtract)
    {
        Span<ushort> lanes = stackalloc ushort[LaneCount];
        ExpandInto(id32, lanes);
        if (subtract)
        {
            Subtract(_lanes, lanes);
        }
        else
        {
            Add(_lanes, lanes);
        }
    }

    /// <summary>target[i] += source[i] mod 2^16, a vector at a time (Vector&lt;ushort&gt; wraps on overflow).</summary>
    internal static void Add(Span<ushort> target, ReadOnlySpan<ushort> source)
    {
        var width = Vector<ushort>.Count;
        var i = 0;
        for (; i <= target.Length - width; i += width)
        {
            (new Vector<ushort>(target[i..]) + new Vector<ushort>(source[i..])).CopyTo(target[i..]);
        }

        for (; i < target.Length; i++)
        {
            target[i] = unchecked((ushort)(target[i] + source[i]));
        }
    }

    /// <summary>target[i] -= source[i] mod 2^16.</summary>
    internal static void Subtract(Span<ushort> target, ReadOnlySpan<ushort> source)
    {
        var width = Vector<ushort>.Count;
        var i = 0;
        for (; i <= target.Length - width; i += width)
        {
            (new Vector<ushort>(target[i..]) - new Vector<ushort>(source[i..])).CopyTo(target[i..]);
        }

        for (; i < target.Length; i++)
        {
            target[i] = unchecked((ushort)(target[i] - source[i]));
        }
    }
}
