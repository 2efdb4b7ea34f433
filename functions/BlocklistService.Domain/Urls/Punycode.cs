namespace BlocklistService.Domain.Urls;

/// <summary>
/// RFC 3492 punycode encoding of one domain label. Written out here rather than taken from
/// <see cref="System.Globalization.IdnMapping"/>, whose behaviour depends on the host's globalization mode
/// (ICU or invariant); an entry id must not depend on where it was computed.
/// </summary>
internal static class Punycode
{
    private const int Base = 36;
    private const int TMin = 1;
    private const int TMax = 26;
    private const int Skew = 38;
    private const int Damp = 700;
    private const int InitialBias = 72;
    private const int InitialN = 128;

    /// <summary>
    /// Appends the encoding of <paramref name="codePoints"/> (without the "xn--" prefix) to <paramref name="output"/>.
    /// False when the output does not fit or the arithmetic would overflow.
    /// </summary>
    public static bool TryEncode(ReadOnlySpan<int> codePoints, Span<char> output, out int written)
    {
        written = 0;
        var basic = 0;
        foreach (var c in codePoints)
        {
            if (c < 0x80)
            {
                if (written >= output.Length)
                {
                    return false;
                }

                output[written++] = (char)c;
                basic++;
            }
        }

        if (basic > 0)
        {
            if (written >= output.Length)
            {
                return false;
            }

            output[written++] = '-';
        }

        long n = InitialN;
        long delta = 0;
        var bias = InitialBias;
        var handled = basic;
        while (handled < codePoints.Length)
        {
            var next = int.MaxValue;
            foreach (var c in codePoints)
            {
                if (c >= n && c < next)
                {
                    next = c;
                }
            }

            delta += (next - n) * (handled + 1);
            if (delta > int.MaxValue)
            {
                return false;
            }

            n = next;
            foreach (var c in codePoints)
            {
                if (c < n && ++delta > int.MaxValue)
                {
                    return false;
                }

                if (c != n)
                {
                    continue;
                }

                var q = delta;
                for (var k = Base; ; k += Base)
                {
                    var t = k <= bias ? TMin : k >= bias + TMax ? TMax : k - bias;
                    if (q < t)
                    {
                        break;
                    }

                    if (written >= output.Length)
                    {
                        return false;
                    }

                    output[written++] = Digit((int)(t + ((q - t) % (Base - t))));
                    q = (q - t) / (Base - t);
                }

                if (written >= output.Length)
                {
                    return false;
                }

                output[written++] = Digit((int)q);
                bias = Adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled++;
            }

            delta++;
            n++;
        }

        return true;
    }

    private static char Digit(int d) => (char)(d < 26 ? 'a' + d : '0' + (d - 26));

    private static int Adapt(long delta, int points, bool first)
    {
        delta = first ? delta / Damp : delta / 2;
        delta += delta / points;
        var k = 0;
        while (delta > ((Base - TMin) * TMax) / 2)
        {
            delta /= Base - TMin;
            k += Base;
        }

        return (int)(k + ((Base - TMin + 1) * delta / (delta + Skew)));
    }
}
