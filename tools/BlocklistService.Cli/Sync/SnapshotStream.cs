using System.IO.Compression;
using System.Text;
using System.Text.Json;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Sync;

/// <summary>What a snapshot held: its list, version and entry count, and the checksum of its ids.</summary>
public sealed record SnapshotContent(ListName List, long Version, long Count, LtHash16 Checksum);

/// <summary>
/// Reads a <c>blocklist-snapshot/1</c> (gzip) as a stream and writes its entries straight into a state file, so a
/// million-entry snapshot never becomes a million objects. It checks what the protocol's parser checks: the format,
/// exactly the properties <c>format</c>, <c>list</c>, <c>version</c>, <c>entries</c> (no duplicates, no others), each
/// entry exactly <c>id</c>, <c>expression</c>, <c>scope</c>, <c>category</c> with a lowercase hex id that is the SHA-256
/// of the expression, ids strictly ascending, and the decompressed size cap. The id hashes and the LtHash16 checksum
/// are computed on every core (<see cref="ParallelChecksum"/>) while parsing goes on.
/// </summary>
public static class SnapshotStream
{
    /// <summary>Upper bound for a decompressed snapshot, as for every artifact (docs/protocol.md §3.1).</summary>
    public const long MaxDecompressedBytes = 1L << 30;

    /// <summary>Parses <paramref name="gzip"/> into <paramref name="writer"/>; a problem is a <see cref="SnapshotFormatException"/>.</summary>
    public static SnapshotContent Read(byte[] gzip, StateFileWriter writer, CancellationToken cancellationToken)
    {
        if (gzip.Length < 18 || gzip[0] != 0x1f || gzip[1] != 0x8b)
        {
            throw new SnapshotFormatException("not gzip data (missing the 1f 8b header)");
        }

        using var checksum = new ParallelChecksum();
        using var input = new GZipStream(new MemoryStream(gzip, writable: false), CompressionMode.Decompress);
        var parser = new Parser(writer, checksum);
        try
        {
            parser.Run(input, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new SnapshotFormatException($"{Snapshot.Format}: not valid JSON: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            throw new SnapshotFormatException("corrupt gzip data: " + e.Message);
        }

        var (sum, problem) = checksum.Complete();
        if (problem is not null)
        {
            throw new SnapshotFormatException($"entries: {problem}");
        }

        return new SnapshotContent(parser.List!.Value, parser.Version!.Value, writer.Count, sum);
    }

    private sealed class Parser(StateFileWriter writer, ParallelChecksum checksum)
    {
        private const int InitialBuffer = 1 << 20;

        private readonly byte[] _id = new byte[32];
        private readonly byte[] _lastId = new byte[32];
        private byte[] _scratch = new byte[1024];
        private string? _format;
        private bool _sawEntries;
        private long _entries;

        public ListName? List { get; private set; }

        public long? Version { get; private set; }

        public void Run(Stream input, CancellationToken cancellationToken)
        {
            var buffer = new byte[InitialBuffer];
            var filled = 0;
            long total = 0;
            var final = false;
            var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 16 });
            string? property = null;
            var inEntries = false;
            var started = false;
            var ended = false;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!final && filled < buffer.Length)
                {
                    var want = buffer.Length - filled;
                    var got = input.ReadAtLeast(buffer.AsSpan(filled), want, throwOnEndOfStream: false);
                    total += got;
                    if (total > MaxDecompressedBytes)
                    {
                        throw new SnapshotFormatException($"decompressed size exceeds {MaxDecompressedBytes} bytes");
                    }

                    filled += got;
                    final = got < want;
                }

                var reader = new Utf8JsonReader(buffer.AsSpan(0, filled), final, state);
                while (true)
                {
                    var before = reader;
                    if (!reader.Read())
                    {
                        break;
                    }

                    if (!started)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw new SnapshotFormatException($"{Snapshot.Format}: the document is not a JSON object");
                        }

                        started = true;
                        continue;
                    }

                    if (inEntries)
                    {
                        if (reader.TokenType == JsonTokenType.EndArray)
                        {
                            inEntries = false;
                            continue;
                        }

                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw new SnapshotFormatException($"entries[{_entries}]: must be an object");
                        }

                        var probe = reader;
                        if (!probe.TrySkip())
                        {
                            reader = before;
                            break;
                        }

                        Entry(buffer.AsSpan((int)reader.TokenStartIndex, (int)(probe.BytesConsumed - reader.TokenStartIndex)));
                        reader = probe;
                        continue;
                    }

                    if (reader.TokenType == JsonTokenType.EndObject)
                    {
                        ended = true;
                        continue;
                    }

                    if (property is null)
                    {
                        property = reader.GetString();
                        continue;
                    }

                    var name = property;
                    property = null;
                    switch (name)
                    {
                        case "format" when _format is null:
                            _format = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new SnapshotFormatException("format: must be a string");
                            if (_format != Snapshot.Format)
                            {
                                throw new SnapshotFormatException($"format: expected \"{Snapshot.Format}\", found \"{_format}\"");
                            }

                            break;
                        case "list" when List is null:
                            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                            List = ListName.TryParse(text, out var list) ? list : throw new SnapshotFormatException($"list: '{text}' is not a list name ([a-z0-9-]{{1,32}})");
                            break;
                        case "version" when Version is null:
                            Version = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var version) && version >= 0 && !reader.ValueSpan.Contains((byte)'.') && !reader.ValueSpan.Contains((byte)'e') && !reader.ValueSpan.Contains((byte)'E')
                                ? version
                                : throw new SnapshotFormatException("version: must be a whole number >= 0");
                            break;
                        case "entries" when !_sawEntries:
                            if (reader.TokenType != JsonTokenType.StartArray)
                            {
                                throw new SnapshotFormatException("entries: must be an array");
                            }

                            _sawEntries = true;
                            inEntries = true;
                            break;
                        case "format" or "list" or "version" or "entries":
                            throw new SnapshotFormatException($"{name}: appears more than once");
                        default:
                            throw new SnapshotFormatException($"{name}: unknown property");
                    }
                }

                state = reader.CurrentState;
                var consumed = (int)reader.BytesConsumed;
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                if (final)
                {
                    if (filled > 0 || !ended)
                    {
                        throw new SnapshotFormatException($"{Snapshot.Format}: the document ends early (truncated)");
                    }

                    break;
                }

                if (consumed == 0 && filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }

            if (_format is null || List is null || Version is null || !_sawEntries)
            {
                var missing = _format is null ? "format" : List is null ? "list" : Version is null ? "version" : "entries";
                throw new SnapshotFormatException($"{missing}: missing");
            }
        }

        /// <summary>One complete entry object.</summary>
        private void Entry(ReadOnlySpan<byte> json)
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: true, state: default);
            reader.Read();
            scoped ReadOnlySpan<byte> expression = default;
            scoped ReadOnlySpan<byte> category = default;
            var scope = EntryScope.Exact;
            var seen = 0;
            var used = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var bit = reader.ValueTextEquals("id"u8) ? 1 : reader.ValueTextEquals("expression"u8) ? 2 : reader.ValueTextEquals("scope"u8) ? 4 : reader.ValueTextEquals("category"u8) ? 8 : 0;
                if (bit == 0)
                {
                    throw new SnapshotFormatException($"{Where()}.{reader.GetString()}: unknown property");
                }

                var name = bit switch { 1 => "id", 2 => "expression", 4 => "scope", _ => "category" };
                if ((seen & bit) != 0)
                {
                    throw new SnapshotFormatException($"{Where()}.{name}: appears more than once");
                }

                seen |= bit;
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new SnapshotFormatException($"{Where()}.{name}: must be a string");
                }

                var value = Unescaped(ref reader, ref used);
                switch (bit)
                {
                    case 1:
                        if (!TryParseLowerHex(value, _id))
                        {
                            throw new SnapshotFormatException($"{Where()}.id: must be an entry id (64 lowercase hex characters)");
                        }

                        break;
                    case 2:
                        expression = value;
                        break;
                    case 4:
                        scope = value.SequenceEqual("exact"u8) ? EntryScope.Exact
                            : value.SequenceEqual("path"u8) ? EntryScope.Path
                            : value.SequenceEqual("host"u8) ? EntryScope.Host
                            : throw new SnapshotFormatException($"{Where()}.scope: '{Encoding.UTF8.GetString(value)}' is not one of exact, path, host");
                        break;
                    default:
                        category = value;
                        break;
                }
            }

            if (seen != 15)
            {
                var missing = (seen & 1) == 0 ? "id" : (seen & 2) == 0 ? "expression" : (seen & 4) == 0 ? "scope" : "category";
                throw new SnapshotFormatException($"{Where()}.{missing}: missing");
            }

            if (expression.Length == 0 || category.Length == 0)
            {
                throw new SnapshotFormatException($"{Where()}.{(expression.Length == 0 ? "expression" : "category")}: must not be empty");
            }

            if (_entries > 0 && _id.AsSpan().SequenceCompareTo(_lastId) <= 0)
            {
                throw new SnapshotFormatException($"{Where()}: ids must be unique and sorted ascending");
            }

            _id.CopyTo(_lastId.AsSpan());
            writer.Write(_id, scope, expression, category);
            checksum.Add(_id, expression);
            _entries++;
        }

        /// <summary>The entry being read, for messages (built only when one is needed).</summary>
        private string Where() => $"entries[{_entries}]";

        /// <summary>The string's bytes: a slice of the input, or unescaped into scratch space when it has escapes.</summary>
        private ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader, ref int used)
        {
            if (!reader.ValueIsEscaped)
            {
                return reader.ValueSpan;
            }

            if (_scratch.Length - used < reader.ValueSpan.Length)
            {
                // Earlier values of this entry live in the old scratch array, which stays alive while they are used.
                _scratch = new byte[Math.Max(_scratch.Length * 2, used + reader.ValueSpan.Length)];
                used = 0;
            }

            var length = reader.CopyString(_scratch.AsSpan(used));
            var value = _scratch.AsSpan(used, length);
            used += length;
            return value;
        }

        private static bool TryParseLowerHex(ReadOnlySpan<byte> hex, Span<byte> raw)
        {
            if (hex.Length != 64)
            {
                return false;
            }

            for (var i = 0; i < 32; i++)
            {
                var high = Nibble(hex[2 * i]);
                var low = Nibble(hex[(2 * i) + 1]);
                if ((high | low) < 0)
                {
                    return false;
                }

                raw[i] = (byte)((high << 4) | low);
            }

            return true;
        }

        private static int Nibble(byte c) => c switch
        {
            >= (byte)'0' and <= (byte)'9' => c - '0',
            >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
            _ => -1,
        };
    }
}

/// <summary>A snapshot that does not follow its format; the message names the field.</summary>
public sealed class SnapshotFormatException(string message) : Exception(message);
