namespace BlocklistService.Domain.Urls;

/// <summary>
/// Reads a host as an IPv4 address the way inet_aton and browsers do: one to four dot-separated parts, each decimal,
/// octal (leading 0) or hex (leading 0x, possibly with no digits, meaning 0); all parts but the last are one byte, the
/// last fills the remaining bytes. "3279880203" is 195.127.0.11, "0x12.0x43.0x44.0x01" is 18.67.68.1.
/// </summary>
internal static class Ipv4Host
{
    public static bool TryParse(ReadOnlySpan<char> host, out uint address)
    {
        address = 0;
        if (host.IsEmpty || !char.IsAsciiDigit(host[0]))
        {
            // Every inet_aton form starts with a digit: names fail here without any parsing.
            return false;
        }

        Span<ulong> parts = stackalloc ulong[4];
        var count = 0;
        var start = 0;
        for (var i = 0; i <= host.Length; i++)
        {
            if (i < host.Length && host[i] != '.')
            {
                continue;
            }

            if (count == 4 || !TryParsePart(host[start..i], out parts[count]))
            {
                return false;
            }

            count++;
            start = i + 1;
        }

        if (count == 0)
        {
            return false;
        }

        ulong value = 0;
        for (var i = 0; i < count - 1; i++)
        {
            if (parts[i] > 255)
            {
                return false;
            }

            value |= parts[i] << (8 * (3 - i));
        }

        var last = parts[count - 1];
        if (last >= 1UL << (8 * (5 - count)))
        {
            return false;
        }

        address = (uint)(value | last);
        return true;
    }

    /// <summary>Writes a.b.c.d; returns the length (at most 15).</summary>
    public static int Format(uint address, Span<char> output)
    {
        var written = 0;
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            ((address >> shift) & 0xFF).TryFormat(output[written..], out var n, default, System.Globalization.CultureInfo.InvariantCulture);
            written += n;
            if (shift > 0)
            {
                output[written++] = '.';
            }
        }

        return written;
    }

    private static bool TryParsePart(ReadOnlySpan<char> part, out ulong value)
    {
        value = 0;
        if (part.IsEmpty)
        {
            return false;
        }

        int radix;
        if (part.Length >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X'))
        {
            radix = 16;
            part = part[2..];
        }
        else if (part.Length >= 2 && part[0] == '0')
        {
            radix = 8;
            part = part[1..];
        }
        else
        {
            radix = 10;
        }

        foreach (var c in part)
        {
            int digit;
            if (c is >= '0' and <= '9')
            {
                digit = c - '0';
            }
            else if (radix == 16 && c is >= 'a' and <= 'f')
            {
                digit = c - 'a' + 10;
            }
            else if (radix == 16 && c is >= 'A' and <= 'F')
            {
                digit = c - 'A' + 10;
            }
            else
            {
                return false;
            }

            if (digit >= radix)
            {
                return false;
            }

            value = (value * (ulong)radix) + (ulong)digit;
            if (value > uint.MaxValue)
            {
                return false;
            }
        }

        return true;
    }
}
