using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;

namespace BlocklistService.Domain.Urls;

/// <summary>An append-only char buffer that starts on the stack and moves to a pooled array when it outgrows it.</summary>
internal ref struct CharBuilder
{
    /// <summary>Bytes (and chars) Safe Browsing writes as they are: 0x21-0x7E other than '#' and '%'.</summary>
    private static readonly SearchValues<byte> LiteralBytes = SearchValues.Create("!\"$&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    private static readonly SearchValues<char> LiteralChars = SearchValues.Create("!\"$&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private static ReadOnlySpan<byte> HexDigits => "0123456789ABCDEF"u8;

    private Span<char> chars;
    private char[]? rented;
    private int length;

    public CharBuilder(Span<char> initial)
    {
        chars = initial;
        rented = null;
        length = 0;
    }

    public readonly int Length
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => length;
    }

    public readonly ReadOnlySpan<char> AsSpan() => chars[..length];

    public readonly ReadOnlySpan<char> AsSpan(int start, int count) => chars.Slice(start, count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(char c)
    {
        if ((uint)length >= (uint)chars.Length)
        {
            Grow(1);
        }

        chars[length++] = c;
    }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (length + text.Length > chars.Length)
        {
            Grow(text.Length);
        }

        text.CopyTo(chars[length..]);
        length += text.Length;
    }

    /// <summary>Appends a byte as Safe Browsing writes it: %XX (upper-case hex) for bytes &lt;= 0x20, &gt;= 0x7F, '#' and '%'.</summary>
    public void AppendEscapedIfNeeded(int b)
    {
        if (b <= 0x20 || b >= 0x7F || b == '#' || b == '%')
        {
            if (length + 3 > chars.Length)
            {
                Grow(3);
            }

            chars[length] = '%';
            chars[length + 1] = (char)HexDigits[(b >> 4) & 0xF];
            chars[length + 2] = (char)HexDigits[b & 0xF];
            length += 3;
        }
        else
        {
            Append((char)b);
        }
    }

    /// <summary>
    /// <see cref="AppendEscapedIfNeeded"/> over every byte: runs of literal bytes are found and widened a vector at a
    /// time, only the bytes to escape are written one by one.
    /// </summary>
    public void AppendEscaped(scoped ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var run = bytes.IndexOfAnyExcept(LiteralBytes);
            if (run < 0)
            {
                run = bytes.Length;
            }

            if (run > 0)
            {
                if (length + run > chars.Length)
                {
                    Grow(run);
                }

                Ascii.ToUtf16(bytes[..run], chars[length..], out _);
                length += run;
            }

            if (run == bytes.Length)
            {
                return;
            }

            AppendEscapedIfNeeded(bytes[run]);
            bytes = bytes[(run + 1)..];
        }
    }

    /// <summary><see cref="AppendEscapedIfNeeded"/> over every char, copying runs of literal chars in one go.</summary>
    public void AppendEscaped(scoped ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var run = text.IndexOfAnyExcept(LiteralChars);
            if (run < 0)
            {
                run = text.Length;
            }

            if (run > 0)
            {
                Append(text[..run]);
            }

            if (run == text.Length)
            {
                return;
            }

            AppendEscapedIfNeeded(text[run]);
            text = text[(run + 1)..];
        }
    }

    public void Truncate(int newLength) => length = newLength;

    public override readonly string ToString() => new(chars[..length]);

    public void Dispose()
    {
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
            rented = null;
        }
    }

    private void Grow(int extra)
    {
        var larger = ArrayPool<char>.Shared.Rent(Math.Max(chars.Length * 2, length + extra));
        chars[..length].CopyTo(larger);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        rented = larger;
        chars = larger;
    }
}
