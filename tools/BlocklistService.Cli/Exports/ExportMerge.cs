using System.Runtime.CompilerServices;
using System.Text;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Exports;

/// <summary>What changed between the version the exports hold and the new one: entries removed and added.</summary>
public sealed record ExportChange(long FromVersion, IReadOnlyList<ListEntry> Removed, IReadOnlyList<ListEntry> Added);

/// <summary>
/// Writes a new version of a <see cref="IMergeableExporter"/> file from the old one and the change, in one pass: the
/// header is rewritten for the new version and counts, groups of the old file are copied as bytes unless the change
/// removes them, and the added entries' groups are written where their key belongs. The old file must be exactly what
/// the exporter wrote for the old version (its header is compared byte for byte, and every removed key must be found,
/// every group counted); otherwise <see cref="ExportMergeMismatchException"/> is thrown and the caller rewrites the
/// export from scratch. Keys compare as UTF-8 bytes, which is the ordinal order the exporters sort by for ASCII keys;
/// a change with a non-ASCII key is therefore not merged.
/// </summary>
public static class ExportMerge
{
    private const int BlockSize = 1 << 20;

    /// <summary>The summary of the new version: the old one minus what the removed entries counted plus the added ones.</summary>
    public static ExportSummary Summarize(IMergeableExporter exporter, ExportSummary previous, ExportChange change)
    {
        var written = previous.Written;
        var skipped = new SortedDictionary<string, int>(previous.Skipped.ToDictionary(), StringComparer.Ordinal);
        foreach (var (entries, sign) in new[] { (change.Removed, -1), (change.Added, 1) })
        {
            foreach (var entry in entries)
            {
                if (exporter.KeyOf(entry, out var reason) is not null)
                {
                    written += sign;
                }
                else
                {
                    skipped[reason!] = skipped.GetValueOrDefault(reason!) + sign;
                }
            }
        }

        foreach (var reason in skipped.Where(s => s.Value == 0).Select(s => s.Key).ToList())
        {
            skipped.Remove(reason);
        }

        if (written < 0 || skipped.Values.Any(v => v < 0))
        {
            throw new ExportMergeMismatchException("the change removes more than the previous export counted");
        }

        return new ExportSummary(written, skipped);
    }

    /// <summary>Merges <paramref name="oldFile"/> with <paramref name="change"/> into <paramref name="output"/>.</summary>
    // Its loop runs once per line of a million-entry export in a short-lived process: compiled optimized at once, not tiered up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Merge(
        IMergeableExporter exporter,
        ListName list,
        Stream oldFile,
        (long Version, ExportSummary Summary) previous,
        (long Version, ExportSummary Summary) next,
        ExportChange change,
        Stream output,
        CancellationToken cancellationToken)
    {
        var removed = Keys(exporter, change.Removed);
        var added = Keys(exporter, change.Added).Select(k => (k.Key, Text: Encoding.UTF8.GetBytes(exporter.GroupText(k.Entry, k.Text)))).ToList();
        var lines = new LineReader(oldFile);
        var expectedHeader = Encoding.UTF8.GetBytes(exporter.Header(list, previous.Version, previous.Summary));
        var header = new MemoryStream();
        for (var i = 0; i < exporter.HeaderLines; i++)
        {
            if (!lines.Next())
            {
                throw new ExportMergeMismatchException("the old file ends inside its header");
            }

            header.Write(lines.Line);
            header.WriteByte((byte)'\n');
        }

        if (!header.GetBuffer().AsSpan(0, (int)header.Length).SequenceEqual(expectedHeader))
        {
            throw new ExportMergeMismatchException("the old file's header is not the one written for the previous version");
        }

        var sink = new GroupSink(output, exporter.Separator);
        sink.WriteRaw(Encoding.UTF8.GetBytes(exporter.Header(list, next.Version, next.Summary)));
        var footer = exporter.Footer is null ? null : Encoding.UTF8.GetBytes(exporter.Footer);
        var separator = exporter.Separator is null ? [] : Encoding.UTF8.GetBytes(exporter.Separator);
        var r = 0;
        var a = 0;
        var oldGroups = 0;
        var dropping = false;
        var current = new byte[256];
        var currentLength = 0;
        var sawFooter = false;
        while (lines.Next())
        {
            var line = lines.Line;
            if (footer is not null && line.SequenceEqual(footer))
            {
                sawFooter = true;
                if (lines.Next())
                {
                    throw new ExportMergeMismatchException("the old file has lines after its footer");
                }

                break;
            }

            if (separator.Length > 0 && line.EndsWith(separator))
            {
                line = line[..^separator.Length];
            }

            var key = exporter.LineKey(line);
            if (key.IsEmpty)
            {
                throw new ExportMergeMismatchException("the old file has a line that is no group line");
            }

            if (oldGroups > 0 && key.SequenceEqual(current.AsSpan(0, currentLength)))
            {
                if (!dropping)
                {
                    sink.Continue(line);
                }

                continue;
            }

            if (oldGroups > 0 && key.SequenceCompareTo(current.AsSpan(0, currentLength)) < 0)
            {
                throw new ExportMergeMismatchException("the old file's groups are out of order");
            }

            if ((++oldGroups & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (key.Length > current.Length)
            {
                current = new byte[key.Length * 2];
            }

            key.CopyTo(current);
            currentLength = key.Length;
            while (a < added.Count && added[a].Key.AsSpan().SequenceCompareTo(key) < 0)
            {
                sink.Group(added[a++].Text);
            }

            while (r < removed.Count && removed[r].Key.AsSpan().SequenceCompareTo(key) < 0)
            {
                throw new ExportMergeMismatchException($"the old file has no group for removed key {Encoding.UTF8.GetString(removed[r].Key)}");
            }

            dropping = r < removed.Count && removed[r].Key.AsSpan().SequenceEqual(key);
            if (dropping)
            {
                r++;
                continue;
            }

            sink.Start(line);
        }

        if (footer is not null && !sawFooter)
        {
            throw new ExportMergeMismatchException("the old file ends without its footer");
        }

        if (r < removed.Count)
        {
            throw new ExportMergeMismatchException($"the old file has no group for removed key {Encoding.UTF8.GetString(removed[r].Key)}");
        }

        while (a < added.Count)
        {
            sink.Group(added[a++].Text);
        }

        if (oldGroups != previous.Summary.Written || sink.Groups != next.Summary.Written)
        {
            throw new ExportMergeMismatchException($"the old file holds {oldGroups} groups, its export wrote {previous.Summary.Written}");
        }

        sink.End();
        if (footer is not null)
        {
            sink.WriteRaw(footer);
            sink.WriteRaw("\n"u8);
        }

        sink.Flush();
    }

    private static List<(byte[] Key, string Text, ListEntry Entry)> Keys(IMergeableExporter exporter, IEnumerable<ListEntry> entries)
    {
        var keys = new List<(byte[] Key, string Text, ListEntry Entry)>();
        foreach (var entry in entries)
        {
            if (exporter.KeyOf(entry, out _) is { } key)
            {
                if (!Ascii.IsValid(key))
                {
                    throw new ExportMergeMismatchException("a changed key is not ASCII");
                }

                keys.Add((Encoding.ASCII.GetBytes(key), key, entry));
            }
        }

        keys.Sort((x, y) => x.Key.AsSpan().SequenceCompareTo(y.Key));
        return keys;
    }

    /// <summary>
    /// Writes groups through a large buffer. With a separator, every group line ends in it except the very last line
    /// of the body, so the line just written is held back until the next one shows whether it was the last.
    /// </summary>
    private sealed class GroupSink(Stream output, string? separator)
    {
        private readonly byte[] _separator = separator is null ? [] : Encoding.UTF8.GetBytes(separator);
        private readonly MemoryStream _held = new();
        private byte[] _buffer = new byte[BlockSize];
        private int _used;

        public int Groups { get; private set; }

        /// <summary>The first line of a group copied from the old file.</summary>
        public void Start(ReadOnlySpan<byte> line)
        {
            Groups++;
            Continue(line);
        }

        /// <summary>A further line of the current group.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Continue(ReadOnlySpan<byte> line)
        {
            if (_separator.Length == 0)
            {
                Write(line);
                Write("\n"u8);
                return;
            }

            ReleaseHeld(last: false);
            _held.Write(line);
        }

        /// <summary>A whole new group: lines each ending in "\n", without separators.</summary>
        public void Group(ReadOnlySpan<byte> text)
        {
            Groups++;
            if (_separator.Length == 0)
            {
                Write(text);
                return;
            }

            while (!text.IsEmpty)
            {
                var end = text.IndexOf((byte)'\n');
                Continue(text[..end]);
                text = text[(end + 1)..];
            }
        }

        public void WriteRaw(ReadOnlySpan<byte> bytes) => Write(bytes);

        /// <summary>Ends the body: the held line is written without a separator.</summary>
        public void End() => ReleaseHeld(last: true);

        public void Flush()
        {
            output.Write(_buffer, 0, _used);
            _used = 0;
        }

        private void ReleaseHeld(bool last)
        {
            if (_held.Length == 0)
            {
                return;
            }

            Write(_held.GetBuffer().AsSpan(0, (int)_held.Length));
            if (!last)
            {
                Write(_separator);
            }

            Write("\n"u8);
            _held.SetLength(0);
        }

        private void Write(ReadOnlySpan<byte> bytes)
        {
            if (_used + bytes.Length > _buffer.Length)
            {
                Flush();
                if (bytes.Length > _buffer.Length)
                {
                    _buffer = new byte[bytes.Length];
                }
            }

            bytes.CopyTo(_buffer.AsSpan(_used));
            _used += bytes.Length;
        }
    }

    /// <summary>Reads "\n"-terminated lines from a stream through a large buffer; a last line without "\n" is refused.</summary>
    private sealed class LineReader(Stream input)
    {
        private byte[] _buffer = new byte[BlockSize];
        private int _start;
        private int _end;
        private int _lineStart;
        private int _lineLength;
        private bool _eof;

        public ReadOnlySpan<byte> Line => _buffer.AsSpan(_lineStart, _lineLength);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Next()
        {
            while (true)
            {
                var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    _lineStart = _start;
                    _lineLength = newline;
                    _start += newline + 1;
                    return true;
                }

                if (_eof)
                {
                    if (_start != _end)
                    {
                        throw new ExportMergeMismatchException("the old file does not end with a line break");
                    }

                    return false;
                }

                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
                if (_end == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                var got = input.Read(_buffer, _end, _buffer.Length - _end);
                _eof = got == 0;
                _end += got;
            }
        }
    }
}

/// <summary>The old export file is not what the merge expects; the export is rewritten from scratch instead.</summary>
public sealed class ExportMergeMismatchException(string message) : Exception(message);
