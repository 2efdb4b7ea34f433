using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace BlocklistService.Domain.Matching;

/// <summary>
/// A compact, immutable set of entry ids (raw 32-byte SHA-256 values) for matching at proxy speed: the ids sit sorted
/// in one array (32 bytes each) and a bucket table over their leading bits points at the few ids that share them, so
/// a lookup touches one bucket and usually one id. SHA-256 output is uniform, so buckets stay short without any
/// rebalancing. A million ids take about 36 MB. Built once (<see cref="Builder"/>), then safe to share across threads.
/// </summary>
public sealed class EntryIdSet
{
    public const int IdLength = 32;

    private readonly byte[] _ids;
    private readonly int[] _starts;
    private readonly int _shift;

    private EntryIdSet(byte[] ids, int count)
    {
        _ids = ids;
        Count = count;
        var bits = Math.Clamp(count <= 1 ? 1 : 64 - (int)ulong.LeadingZeroCount((ulong)(count - 1)), 1, 24);
        _shift = 64 - bits;
        _starts = new int[(1 << bits) + 1];
        var bucket = 0;
        for (var i = 0; i < count; i++)
        {
            var b = (int)(Prefix(ids.AsSpan(i * IdLength)) >> _shift);
            while (bucket <= b)
            {
                _starts[bucket++] = i;
            }
        }

        while (bucket < _starts.Length)
        {
            _starts[bucket++] = count;
        }
    }

    /// <summary>The number of ids.</summary>
    public int Count { get; }

    /// <summary>An empty set.</summary>
    public static EntryIdSet Empty { get; } = new([], 0);

    /// <summary>True when <paramref name="id"/> (32 raw bytes) is in the set.</summary>
    public bool Contains(ReadOnlySpan<byte> id)
    {
        if (id.Length != IdLength)
        {
            return false;
        }

        var bucket = (int)(Prefix(id) >> _shift);
        var ids = _ids.AsSpan();
        for (var i = _starts[bucket]; i < _starts[bucket + 1]; i++)
        {
            if (ids.Slice(i * IdLength, IdLength).SequenceEqual(id))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the SHA-256 of <paramref name="expression"/>'s UTF-8 bytes (its entry id) is in the set.</summary>
    public bool ContainsExpression(ReadOnlySpan<char> expression)
    {
        Span<byte> id = stackalloc byte[IdLength];
        HashExpression(expression, id);
        return Contains(id);
    }

    /// <summary>True when the SHA-256 of <paramref name="utf8"/> (an expression's UTF-8 bytes, i.e. its entry id) is in the set.</summary>
    public bool ContainsUtf8Expression(ReadOnlySpan<byte> utf8)
    {
        Span<byte> id = stackalloc byte[IdLength];
        SHA256.HashData(utf8, id);
        return Contains(id);
    }

    /// <summary>
    /// True when the id of any of <paramref name="expressions"/> (UTF-8 byte ranges of <paramref name="data"/>, at most
    /// <see cref="MaxBatch"/>) is in the set; the expressions are hashed together (<see cref="Sha256Lanes"/>).
    /// </summary>
    public bool ContainsAnyExpression(ReadOnlySpan<byte> data, ReadOnlySpan<Range> expressions)
    {
        if (expressions.Length > MaxBatch)
        {
            throw new ArgumentException($"at most {MaxBatch} expressions", nameof(expressions));
        }

        Span<byte> digests = stackalloc byte[MaxBatch * IdLength];
        Sha256Lanes.Hash(data, expressions, digests);
        for (var i = 0; i < expressions.Length; i++)
        {
            if (Contains(digests.Slice(i * IdLength, IdLength)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The most expressions <see cref="ContainsAnyExpression"/> takes at once (a URL has at most 30).</summary>
    public const int MaxBatch = 32;

    /// <summary>Writes an expression's entry id (SHA-256 of its UTF-8 bytes) into <paramref name="id"/> without allocating for usual lengths.</summary>
    public static void HashExpression(ReadOnlySpan<char> expression, Span<byte> id)
    {
        var length = Encoding.UTF8.GetMaxByteCount(expression.Length);
        if (length <= 1024)
        {
            Span<byte> utf8 = stackalloc byte[length];
            var written = Encoding.UTF8.GetBytes(expression, utf8);
            SHA256.HashData(utf8[..written], id);
            return;
        }

        SHA256.HashData(Encoding.UTF8.GetBytes(expression.ToArray()), id);
    }

    private static ulong Prefix(ReadOnlySpan<byte> id) => BinaryPrimitives.ReadUInt64BigEndian(id);

    /// <summary>Collects ids in strictly ascending byte order (the order of state files and artifacts) and builds the set.</summary>
    public sealed class Builder(int capacity = 1024)
    {
        private byte[] _ids = new byte[Math.Max(1, capacity) * IdLength];
        private int _count;

        public int Count => _count;

        /// <summary>Adds the next id; throws when it is not 32 bytes or not greater than the previous one.</summary>
        public void Add(ReadOnlySpan<byte> id)
        {
            if (id.Length != IdLength)
            {
                throw new ArgumentException("an entry id is 32 bytes", nameof(id));
            }

            if (_count > 0 && id.SequenceCompareTo(_ids.AsSpan((_count - 1) * IdLength, IdLength)) <= 0)
            {
                throw new ArgumentException("ids must be added in strictly ascending order", nameof(id));
            }

            if ((_count + 1) * IdLength > _ids.Length)
            {
                Array.Resize(ref _ids, _ids.Length * 2);
            }

            id.CopyTo(_ids.AsSpan(_count * IdLength));
            _count++;
        }

        /// <summary>The set (the builder must not be used afterwards).</summary>
        public EntryIdSet Build()
        {
            if (_ids.Length != _count * IdLength)
            {
                Array.Resize(ref _ids, _count * IdLength);
            }

            return new EntryIdSet(_ids, _count);
        }
    }
}
