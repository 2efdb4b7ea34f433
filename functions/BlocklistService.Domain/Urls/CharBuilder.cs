using System.Buffers;

namespace BlocklistService.Domain.Urls;

/// <summary>An append-only char buffer that starts on the stack and moves to a pooled array when it outgrows it.</summary>
internal ref struct CharBuilder
{
    private static ReadOnlySpan<byte> HexDigits => "0123456789ABCDEF"u8;

    private Span<char> chars;
    private char[]? rented;

    public CharBuilder(Span<char> initial)
    {
        chars = initial;
        rented = null;
        Length = 0;
    }

    public int Length { get; private set; }

    public readonly ReadOnlySpan<char> AsSpan() => chars[..Length];

    public readonly ReadOnlySpan<char> AsSpan(int start, int length) => chars.Slice(start, length);

    public void Append(char c)
    {
        if (Length == chars.Length)
        {
            Grow(1);
        }

        chars[Length++] = c;
    }

    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (Length + text.Length > chars.Length)
        {
            Grow(text.Length);
        }

        text.CopyTo(chars[Length..]);
        Length += text.Length;
    }

    /// <summary>Appends a byte as Safe Browsing writes it: %XX (upper-case hex) for bytes &lt;= 0x20, &gt;= 0x7F, '#' and '%'.</summary>
    public void AppendEscapedIfNeeded(int b)
    {
        if (b <= 0x20 || b >= 0x7F || b == '#' || b == '%')
        {
            if (Length + 3 > chars.Length)
            {
                Grow(3);
            }

            chars[Length] = '%';
            chars[Length + 1] = (char)HexDigits[(b >> 4) & 0xF];
            chars[Length + 2] = (char)HexDigits[b & 0xF];
            Length += 3;
        }
        else
        {
            Append((char)b);
        }
    }

    public void Truncate(int length) => Length = length;

    public override readonly string ToString() => new(chars[..Length]);

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
        var larger = ArrayPool<char>.Shared.Rent(Math.Max(chars.Length * 2, Length + extra));
        chars[..Length].CopyTo(larger);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        rented = larger;
        chars = larger;
    }
}
