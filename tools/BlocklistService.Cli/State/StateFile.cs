using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.State;

/// <summary>
/// What the head of a state file says: list, version, entry count, when it was applied, the SHA-256 of the manifest it
/// was accepted under, and the 2048-byte LtHash16 checksum of its ids (the state hash is its SHA-256), so a delta is
/// checked and the checksum moved forward without reading the entries.
/// </summary>
public sealed record StateFileHeader(ListName List, long Version, long Count, DateTimeOffset AppliedAt, string? ManifestSha256, byte[] Checksum, ListFeed Feed = ListFeed.Plain)
{
    /// <summary>The manifest's <c>stateHash</c> for these ids: SHA-256 of the checksum bytes.</summary>
    public string StateHash => Convert.ToHexStringLower(SHA256.HashData(Checksum));
}

/// <summary>
/// The binary local state, <c>state.bin</c>: a fixed-size head, then one record per entry in ascending id order.
/// <code>
/// head (2214 bytes, integers little-endian)
///   0    8  magic "BLSTATE\n"
///   8    4  format version (2)
///   12   1  list name length, 13 32 list name (ASCII, zero-padded)
///   45   8  version        53  8  entry count        61  8  applied at (Unix milliseconds)
///   69   1  flags: bit 0 a manifest SHA-256 follows, bit 1 hashed feed   70 32  manifest SHA-256
///   102 2048 LtHash16 checksum (lanes little-endian)
///   2150 32 SHA-256 of every record byte that follows the head
///   2182 32 SHA-256 of head bytes 0..2181
/// record: id (32 raw bytes) | scope (1: 0 exact, 1 path, 2 host) | expression length (u16) | expression (UTF-8)
///         | category length (u16) | category (UTF-8)
/// </code>
/// A state of the hashed feed (flag bit 1) holds no expressions: every record's expression length is 0, so nothing
/// in the file names a host or URL.
/// The head is checked on open (a delta needs only it); the records' SHA-256, count and order are checked by every
/// full read, so a damaged or truncated file is refused before anything is written from it.
/// </summary>
public static class StateFile
{
    public const int FormatVersion = 2;

    public const int HeadLength = 2214;

    private const int ListOffset = 12;
    private const int VersionOffset = 45;
    private const int CountOffset = 53;
    private const int AppliedOffset = 61;
    private const int ManifestOffset = 69;
    private const int ChecksumOffset = 102;
    private const byte ManifestFlag = 1;
    private const byte HashedFlag = 2;
    private const int BodyHashOffset = 2150;
    private const int HeadHashOffset = 2182;

    public static ReadOnlySpan<byte> Magic => "BLSTATE\n"u8;

    /// <summary>The longest expression or category a record holds, in UTF-8 bytes.</summary>
    public const int MaxFieldBytes = ushort.MaxValue;

    internal static byte[] WriteHead(StateFileHeader header, ReadOnlySpan<byte> bodySha256)
    {
        var head = new byte[HeadLength];
        Magic.CopyTo(head);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(8), FormatVersion);
        var name = Encoding.ASCII.GetBytes(header.List.Value);
        head[ListOffset] = (byte)name.Length;
        name.CopyTo(head.AsSpan(ListOffset + 1));
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(VersionOffset), header.Version);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(CountOffset), header.Count);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(AppliedOffset), header.AppliedAt.ToUnixTimeMilliseconds());
        if (header.ManifestSha256 is { } manifest)
        {
            head[ManifestOffset] = ManifestFlag;
            Convert.FromHexString(manifest).CopyTo(head.AsSpan(ManifestOffset + 1));
        }

        if (header.Feed == ListFeed.Hashed)
        {
            head[ManifestOffset] |= HashedFlag;
        }

        if (header.Checksum.Length != LtHash16.ByteLength)
        {
            throw new ArgumentException("the checksum must be 2048 bytes", nameof(header));
        }

        header.Checksum.CopyTo(head.AsSpan(ChecksumOffset));
        bodySha256.CopyTo(head.AsSpan(BodyHashOffset));
        SHA256.HashData(head.AsSpan(0, HeadHashOffset), head.AsSpan(HeadHashOffset));
        return head;
    }

    /// <summary>Parses and checks a head; null with <paramref name="problem"/> set when it is not a usable one.</summary>
    internal static StateFileHeader? ParseHead(ReadOnlySpan<byte> head, out byte[] bodySha256, out string? problem)
    {
        bodySha256 = [];
        if (head.Length < HeadLength || !head[..8].SequenceEqual(Magic))
        {
            problem = head.Length >= 1 && head[0] == (byte)'{'
                ? "it is a state file of an older CLI (JSON)"
                : "it is not a BlocklistService state file (bad magic or too short)";
            return null;
        }

        var format = BinaryPrimitives.ReadInt32LittleEndian(head[8..]);
        if (format != FormatVersion)
        {
            problem = $"its format version is {format}, this CLI reads {FormatVersion}";
            return null;
        }

        if (!SHA256.HashData(head[..HeadHashOffset]).AsSpan().SequenceEqual(head.Slice(HeadHashOffset, 32)))
        {
            problem = "its head does not match its own SHA-256 (the file is damaged)";
            return null;
        }

        var nameLength = head[ListOffset];
        if (nameLength is 0 or > 32 || !ListName.TryParse(Encoding.ASCII.GetString(head.Slice(ListOffset + 1, nameLength)), out var list))
        {
            problem = "its list name is not valid";
            return null;
        }

        var version = BinaryPrimitives.ReadInt64LittleEndian(head[VersionOffset..]);
        var count = BinaryPrimitives.ReadInt64LittleEndian(head[CountOffset..]);
        if (version < 0 || count < 0)
        {
            problem = $"its version {version} or entry count {count} is negative";
            return null;
        }

        var applied = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(head[AppliedOffset..]));
        var flags = head[ManifestOffset];
        if (flags > (ManifestFlag | HashedFlag))
        {
            problem = $"its flags byte {flags} has unknown bits";
            return null;
        }

        var manifest = (flags & ManifestFlag) != 0 ? Convert.ToHexStringLower(head.Slice(ManifestOffset + 1, 32)) : null;
        var feed = (flags & HashedFlag) != 0 ? ListFeed.Hashed : ListFeed.Plain;
        bodySha256 = head.Slice(BodyHashOffset, 32).ToArray();
        problem = null;
        return new StateFileHeader(list, version, count, applied, manifest, head.Slice(ChecksumOffset, LtHash16.ByteLength).ToArray(), feed);
    }

    internal static byte ScopeCode(EntryScope scope) => scope switch
    {
        EntryScope.Exact => 0,
        EntryScope.Path => 1,
        EntryScope.Host => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(scope)),
    };

    internal static bool TryScope(byte code, out EntryScope scope)
    {
        scope = code switch { 0 => EntryScope.Exact, 1 => EntryScope.Path, _ => EntryScope.Host };
        return code <= 2;
    }
}

/// <summary>
/// Writes a state file: records in ascending id order through a large buffer (hashing them as they go), then the head
/// at offset 0 once count and checksum are known. The caller renames the finished file into place.
/// </summary>
public sealed class StateFileWriter : IDisposable
{
    private const int BufferSize = 1 << 20;

    private readonly FileStream _stream;
    private readonly IncrementalHash _body = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _buffer = new byte[BufferSize + (2 * StateFile.MaxFieldBytes) + 64];
    private readonly byte[] _lastId = new byte[32];
    private int _used;
    private bool _finished;

    public StateFileWriter(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _stream = new FileStream(path, AtomicFileWriter.Create(FileAccess.ReadWrite, bufferSize: 1));
        _stream.Write(new byte[StateFile.HeadLength]);
    }

    public string Path { get; }

    public long Count { get; private set; }

    /// <summary>Appends an entry given as its fields; ids must come in strictly ascending order.</summary>
    // Called per record or line of a million-entry file in a short-lived process: compiled optimized at once, not tiered up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(ReadOnlySpan<byte> id, EntryScope scope, ReadOnlySpan<byte> expression, ReadOnlySpan<byte> category)
    {
        if (expression.Length > StateFile.MaxFieldBytes || category.Length > StateFile.MaxFieldBytes)
        {
            throw new CliException("state-entry-too-long", $"An entry's expression or category is longer than {StateFile.MaxFieldBytes} bytes.", "Report this list version to its publisher.");
        }

        CheckOrder(id);
        var span = _buffer.AsSpan(_used);
        id.CopyTo(span);
        span[32] = StateFile.ScopeCode(scope);
        BinaryPrimitives.WriteUInt16LittleEndian(span[33..], (ushort)expression.Length);
        expression.CopyTo(span[35..]);
        var at = 35 + expression.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)category.Length);
        category.CopyTo(span[(at + 2)..]);
        Advance(at + 2 + category.Length);
    }

    /// <summary>Appends a record exactly as another state file holds it (the merge path copies records unchanged).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteRaw(ReadOnlySpan<byte> record)
    {
        CheckOrder(record[..32]);
        record.CopyTo(_buffer.AsSpan(_used));
        Advance(record.Length);
    }

    public void Write(ListEntry entry)
    {
        Span<byte> id = stackalloc byte[32];
        Convert.FromHexString(entry.Id.Hex, id, out _, out _);
        Write(id, entry.Scope, Encoding.UTF8.GetBytes(entry.Expression), Encoding.UTF8.GetBytes(entry.Category));
    }

    /// <summary>
    /// Flushes the records and writes the head for <paramref name="header"/> (whose count must match). The file is not
    /// synced to disk here: <see cref="LocalStateStore.CommitAsync"/> does that before renaming it into place.
    /// </summary>
    public void Finish(StateFileHeader header)
    {
        if (header.Count != Count)
        {
            throw new InvalidOperationException($"the head says {header.Count} entries, {Count} were written");
        }

        Flush();
        var head = StateFile.WriteHead(header, _body.GetHashAndReset());
        _stream.Position = 0;
        _stream.Write(head);
        _stream.Flush();
        _finished = true;
        _stream.Dispose();
    }

    /// <summary>Closes the file; an unfinished one is deleted.</summary>
    public void Dispose()
    {
        _stream.Dispose();
        _body.Dispose();
        if (!_finished)
        {
            File.Delete(Path);
        }
    }

    private void CheckOrder(ReadOnlySpan<byte> id)
    {
        if (Count > 0 && id.SequenceCompareTo(_lastId) <= 0)
        {
            throw new InvalidOperationException("state records must be written in strictly ascending id order");
        }

        id.CopyTo(_lastId);
        Count++;
    }

    private void Advance(int length)
    {
        _used += length;
        if (_used >= BufferSize)
        {
            Flush();
        }
    }

    private void Flush()
    {
        _body.AppendData(_buffer, 0, _used);
        _stream.Write(_buffer, 0, _used);
        _used = 0;
    }
}

/// <summary>
/// Reads a state file: the head on open, then the records one by one from a large buffer. At the end it checks the
/// records' SHA-256, count and order against the head, so whoever reads to the end (a merge, an export) has used only
/// a file that is intact; a problem is a <see cref="CliException"/> with code <c>state-invalid</c>.
/// </summary>
public sealed class StateFileReader : IDisposable
{
    private const int BufferSize = 1 << 20;

    private readonly FileStream _stream;
    private readonly IncrementalHash _body = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _expectedBody;
    private readonly byte[] _lastId = new byte[32];
    private byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private int _recordStart;
    private int _recordLength;
    private long _read;
    private bool _eof;

    private StateFileReader(string path, FileStream stream, StateFileHeader header, byte[] expectedBody)
    {
        Path = path;
        _stream = stream;
        Header = header;
        _expectedBody = expectedBody;
    }

    public string Path { get; }

    public StateFileHeader Header { get; }

    /// <summary>The current record's bytes, as <see cref="StateFileWriter.WriteRaw"/> takes them.</summary>
    public ReadOnlySpan<byte> Record => _buffer.AsSpan(_recordStart, _recordLength);

    /// <summary>The current record's 32 id bytes.</summary>
    public ReadOnlySpan<byte> Id => _buffer.AsSpan(_recordStart, 32);

    public EntryScope Scope => StateFile.TryScope(_buffer[_recordStart + 32], out var scope) ? scope : EntryScope.Exact;

    public ReadOnlySpan<byte> Expression => _buffer.AsSpan(_recordStart + 35, ExpressionLength);

    public ReadOnlySpan<byte> Category => _buffer.AsSpan(_recordStart + 37 + ExpressionLength, BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(_recordStart + 35 + ExpressionLength)));

    private int ExpressionLength => BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(_recordStart + 33));

    /// <summary>Opens a state file and checks its head against <paramref name="list"/>.</summary>
    public static StateFileReader Open(string path, ListName list)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            throw LocalStateStore.Missing(list, path);
        }

        try
        {
            var head = new byte[StateFile.HeadLength];
            var got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var header = StateFile.ParseHead(head.AsSpan(0, got), out var body, out var problem)
                ?? throw LocalStateStore.Invalid(path, problem!);
            if (header.List != list)
            {
                throw LocalStateStore.Invalid(path, $"it names list '{header.List}', not '{list}'");
            }

            return new StateFileReader(path, stream, header, body);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Moves to the next record; false after the last one, once the whole file was checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Next()
    {
        _start = _recordStart + _recordLength;
        _recordLength = 0;
        if (!Ensure(37))
        {
            return Finish();
        }

        var expression = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(_start + 33));
        if (!Ensure(37 + expression))
        {
            throw Damaged("it ends inside a record (truncated)");
        }

        var category = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(_start + 35 + expression));
        if (!Ensure(37 + expression + category))
        {
            throw Damaged("it ends inside a record (truncated)");
        }

        _recordStart = _start;
        _recordLength = 37 + expression + category;
        if (_buffer[_start + 32] > 2)
        {
            throw Damaged($"record {_read} has an unknown scope code {_buffer[_start + 32]}");
        }

        if (_read > 0 && Id.SequenceCompareTo(_lastId) <= 0)
        {
            throw Damaged($"record {_read} is out of id order");
        }

        Id.CopyTo(_lastId);
        if (++_read > Header.Count)
        {
            throw Damaged($"it holds more records than the {Header.Count} its head states");
        }

        return true;
    }

    /// <summary>The current record as an entry.</summary>
    public ListEntry ToEntry()
    {
        EntryId.TryParse(Convert.ToHexStringLower(Id), out var id);
        return new ListEntry(id, Encoding.UTF8.GetString(Expression), Scope, Encoding.UTF8.GetString(Category));
    }

    public void Dispose()
    {
        _stream.Dispose();
        _body.Dispose();
    }

    /// <summary>Every entry, read and checked to the end (for commands that need the whole list).</summary>
    public IEnumerable<ListEntry> Entries()
    {
        while (Next())
        {
            yield return ToEntry();
        }
    }

    private bool Finish()
    {
        if (_start != _end)
        {
            throw Damaged("it ends inside a record (truncated)");
        }

        if (_read != Header.Count)
        {
            throw Damaged($"it holds {_read} records, its head states {Header.Count} (truncated)");
        }

        if (!_body.GetHashAndReset().AsSpan().SequenceEqual(_expectedBody))
        {
            throw Damaged("its records do not match the SHA-256 in its head (the file is damaged)");
        }

        return false;
    }

    /// <summary>Makes sure <paramref name="length"/> bytes from the current record start are in the buffer.</summary>
    private bool Ensure(int length)
    {
        while (_end - _start < length)
        {
            if (_eof)
            {
                return false;
            }

            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _recordStart -= _start;
                _start = 0;
            }

            if (_buffer.Length < length)
            {
                Array.Resize(ref _buffer, Math.Max(length, _buffer.Length * 2));
            }

            var got = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (got == 0)
            {
                _eof = true;
                continue;
            }

            _body.AppendData(_buffer, _end, got);
            _end += got;
        }

        return true;
    }

    private CliException Damaged(string reason) => LocalStateStore.Invalid(Path, reason);
}
