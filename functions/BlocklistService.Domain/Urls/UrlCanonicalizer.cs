using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace BlocklistService.Domain.Urls;

/// <summary>
/// Safe Browsing canonicalization ("URLs and Hashing", Update API v4) over UTF-8 bytes, in place, without regex,
/// LINQ or intermediate strings. The steps, in the order the rules give them:
/// <list type="number">
/// <item>remove tab, CR and LF anywhere; trim C0 controls and spaces at both ends (as browsers do);</item>
/// <item>drop the fragment (from the first '#');</item>
/// <item>percent-unescape repeatedly until no escape is left (done in one pass with a stack, which reaches the same
/// fixed point because escapes cannot overlap);</item>
/// <item>split scheme, authority, path and query; a missing scheme means http; '\' before the query counts as '/'
/// (browsers send it that way); port and user-info are dropped;</item>
/// <item>host: internationalized labels to punycode, lower case, leading/trailing dots removed, repeated dots folded,
/// IPv4 in any inet_aton form to a dotted quad, bracketed IPv6 to RFC 5952 form;</item>
/// <item>path: "/./" and "/../" resolved, repeated slashes folded, "/" when empty; the query is kept as it is;</item>
/// <item>every byte &lt;= 0x20 or &gt;= 0x7F, '#' and '%' re-escaped as %XX.</item>
/// </list>
/// Strict mode adds what a submitted web URL must satisfy (see <see cref="CanonicalUrl.ParseWebUrl"/>).
/// </summary>
[SkipLocalsInit] // stack buffers are always written before they are read
internal static class UrlCanonicalizer
{
    private const int StackBytes = 1024;

    /// <summary>The bytes step 1 acts on when lenient (tab, LF, CR) and when strict (also every other control).</summary>
    private static readonly SearchValues<byte> RemovedControls = SearchValues.Create("\t\n\r"u8);

    private static readonly SearchValues<byte> AnyControl = SearchValues.Create(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0A\x0B\x0C\x0D\x0E\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F\x7F"u8);

    public static Result<CanonicalUrl> Canonicalize(ReadOnlySpan<char> input, bool strict)
    {
        if (input.Length > (strict ? CanonicalUrl.MaxWebUrlLength : CanonicalUrl.MaxInputLength))
        {
            return TooLong(strict);
        }

        var max = Encoding.UTF8.GetMaxByteCount(input.Length);
        byte[]? rented = null;
        var bytes = max <= StackBytes ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            var length = Encoding.UTF8.GetBytes(input, bytes);
            return CanonicalizeInPlace(bytes[..length], strict);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public static Result<CanonicalUrl> Canonicalize(ReadOnlySpan<byte> input, bool strict)
    {
        if (input.Length > (strict ? CanonicalUrl.MaxWebUrlLength : CanonicalUrl.MaxInputLength))
        {
            return TooLong(strict);
        }

        byte[]? rented = null;
        var bytes = input.Length <= StackBytes ? stackalloc byte[input.Length] : (rented = ArrayPool<byte>.Shared.Rent(input.Length));
        try
        {
            input.CopyTo(bytes);
            return CanonicalizeInPlace(bytes[..input.Length], strict);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static Result<CanonicalUrl> TooLong(bool strict) => Fail(
        RejectionCodes.UrlTooLong,
        $"The URL is longer than {(strict ? CanonicalUrl.MaxWebUrlLength : CanonicalUrl.MaxInputLength)} characters.");

    private static Result<CanonicalUrl> Fail(string code, string message) => Result<CanonicalUrl>.Failure(code, message);

    private static Result<CanonicalUrl> CanonicalizeInPlace(Span<byte> url, bool strict)
    {
        // 1. Tab, CR and LF go; in strict mode any other control character refuses the URL. Most URLs have none:
        // one vectorized search finds the first, and only the rest is copied byte by byte.
        var length = url.IndexOfAny(strict ? AnyControl : RemovedControls);
        if (length < 0)
        {
            length = url.Length;
        }

        foreach (var b in url[length..])
        {
            if (b is 0x09 or 0x0A or 0x0D)
            {
                continue;
            }

            if (strict && (b < 0x20 || b == 0x7F))
            {
                return Fail(RejectionCodes.ControlCharacter, $"The URL contains the control character 0x{b:X2}.");
            }

            url[length++] = b;
        }

        var start = 0;
        while (start < length && url[start] <= 0x20)
        {
            start++;
        }

        while (length > start && url[length - 1] <= 0x20)
        {
            length--;
        }

        var u = url[start..length];
        if (u.IsEmpty)
        {
            return Fail(RejectionCodes.Empty, "The URL is empty.");
        }

        // 2. The fragment goes.
        var hash = u.IndexOf((byte)'#');
        if (hash >= 0)
        {
            u = u[..hash];
        }

        // 3. Unescape until no escape is left.
        u = u[..UnescapeFully(u)];

        // 4. Backslashes before the query are path separators.
        var query = u.IndexOf((byte)'?');
        (query < 0 ? u : u[..query]).Replace((byte)'\\', (byte)'/');

        // 5. Scheme.
        ReadOnlySpan<byte> scheme = "http"u8;
        var authorityStart = 0;
        var colon = SchemeEnd(u);
        if (colon > 0)
        {
            var afterColon = u[(colon + 1)..];
            var named = u[..colon];
            if (afterColon.StartsWith("//"u8))
            {
                scheme = named;
                authorityStart = colon + 3;
            }
            else if (!LooksLikePort(afterColon))
            {
                return IsWebScheme(named)
                    ? Fail(RejectionCodes.MissingHost, $"Expected '//' and a host after '{Encoding.UTF8.GetString(named)}:'.")
                    : Fail(RejectionCodes.UnsupportedScheme, $"'{Printable(named)}:' URLs cannot be listed; only http and https URLs can.");
            }
        }

        if (strict && !IsWebScheme(scheme))
        {
            return Fail(RejectionCodes.UnsupportedScheme, $"'{Printable(scheme)}:' URLs cannot be listed; only http and https URLs can.");
        }

        // 6. Authority: [user-info@]host[:port].
        var rest = u[authorityStart..];
        var authorityEnd = rest.IndexOfAny((byte)'/', (byte)'?');
        if (authorityEnd < 0)
        {
            authorityEnd = rest.Length;
        }

        var authority = rest[..authorityEnd];
        var pathAndQuery = rest[authorityEnd..];
        var at = authority.LastIndexOf((byte)'@');
        if (at >= 0)
        {
            if (strict)
            {
                return Fail(RejectionCodes.UserInfo, $"The URL has user-info before '@'; its host is '{Printable(authority[(at + 1)..])}'. Submit the URL without it.");
            }

            authority = authority[(at + 1)..];
        }

        ReadOnlySpan<byte> host;
        ReadOnlySpan<byte> port = default;
        var hasPort = false;
        if (!authority.IsEmpty && authority[0] == '[')
        {
            var close = authority.IndexOf((byte)']');
            if (close < 0)
            {
                return Fail(RejectionCodes.InvalidHost, "The IPv6 address has no closing ']'.");
            }

            host = authority[..(close + 1)];
            var after = authority[(close + 1)..];
            if (!after.IsEmpty)
            {
                if (after[0] != ':')
                {
                    return Fail(RejectionCodes.InvalidHost, "Unexpected characters after the IPv6 address.");
                }

                port = after[1..];
                hasPort = true;
            }
        }
        else
        {
            var portColon = authority.LastIndexOf((byte)':');
            host = portColon < 0 ? authority : authority[..portColon];
            if (portColon >= 0)
            {
                port = authority[(portColon + 1)..];
                hasPort = true;
            }
        }

        if (hasPort && !IsValidPort(port, strict))
        {
            return Fail(RejectionCodes.InvalidPort, $"'{Printable(port)}' is not a port number (0-65535).");
        }

        // Room for the usual case (a few escapes); CharBuilder moves to a pooled array if it needs more.
        var initialLength = Math.Min(u.Length + (u.Length / 2) + 16, 512);
        var output = new CharBuilder(stackalloc char[initialLength]);
        try
        {
            foreach (var b in scheme)
            {
                output.Append((char)(b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b));
            }

            output.Append("://");
            var hostStart = output.Length;
            var failure = AppendHost(host, strict, ref output, out var kind);
            if (failure is not null)
            {
                return Result<CanonicalUrl>.Failure(failure);
            }

            var hostLength = output.Length - hostStart;

            // 7. Path and query.
            var queryIndex = pathAndQuery.IndexOf((byte)'?');
            var path = queryIndex < 0 ? pathAndQuery : pathAndQuery[..queryIndex];
            var pathStart = output.Length;
            AppendPath(path, ref output);
            var pathLength = output.Length - pathStart;
            var queryStart = -1;
            if (queryIndex >= 0)
            {
                output.Append('?');
                queryStart = output.Length;
                output.AppendEscaped(pathAndQuery[(queryIndex + 1)..]);
            }

            return Result<CanonicalUrl>.Success(new CanonicalUrl(
                output.ToString(), scheme.Length, hostStart, hostLength, pathStart, pathLength, queryStart, kind));
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>Percent-unescapes to the fixed point in one pass; returns the new length.</summary>
    internal static int UnescapeFully(Span<byte> text)
    {
        // Nothing before the first '%' can change, and most URLs have none.
        var w = text.IndexOf((byte)'%');
        if (w < 0)
        {
            return text.Length;
        }

        for (var r = w; r < text.Length; r++)
        {
            text[w++] = text[r];
            while (w >= 3 && text[w - 3] == '%' && IsHex(text[w - 2]) && IsHex(text[w - 1]))
            {
                text[w - 3] = (byte)((HexValue(text[w - 2]) << 4) | HexValue(text[w - 1]));
                w -= 2;
            }
        }

        return w;
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    /// <summary>Index of the ':' ending an RFC 3986 scheme name at the start, or -1.</summary>
    private static int SchemeEnd(ReadOnlySpan<byte> u)
    {
        if (u.IsEmpty || !char.IsAsciiLetter((char)u[0]))
        {
            return -1;
        }

        for (var i = 1; i < u.Length; i++)
        {
            var c = (char)u[i];
            if (c == ':')
            {
                return i;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return -1;
            }
        }

        return -1;
    }

    /// <summary>"8080", "8080/x", "8080?q": what follows "host:" when the URL has no scheme.</summary>
    private static bool LooksLikePort(ReadOnlySpan<byte> afterColon)
    {
        var digits = 0;
        while (digits < afterColon.Length && char.IsAsciiDigit((char)afterColon[digits]))
        {
            digits++;
        }

        return digits > 0 && (digits == afterColon.Length || afterColon[digits] is (byte)'/' or (byte)'?');
    }

    private static bool IsWebScheme(ReadOnlySpan<byte> scheme) =>
        Ascii.EqualsIgnoreCase(scheme, "http"u8) || Ascii.EqualsIgnoreCase(scheme, "https"u8);

    private static bool IsValidPort(ReadOnlySpan<byte> port, bool strict)
    {
        var value = 0;
        foreach (var b in port)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            if (strict && (value = (value * 10) + (b - '0')) > 65535)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Input echoed in a message: at most 64 characters, control characters shown as U+FFFD.</summary>
    internal static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.UTF8.GetString(bytes.Length > 64 ? bytes[..64] : bytes);
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
            {
                chars[i] = '\uFFFD';
            }
        }

        return new string(chars) + (bytes.Length > 64 ? "..." : string.Empty);
    }

    private static Rejection? AppendHost(ReadOnlySpan<byte> raw, bool strict, ref CharBuilder output, out HostKind kind)
    {
        kind = HostKind.Name;
        if (raw.IsEmpty)
        {
            return new Rejection(RejectionCodes.MissingHost, "The URL has no host.");
        }

        if (raw[0] == '[')
        {
            kind = HostKind.IPv6;
            return AppendIPv6(raw, ref output);
        }

        // Decode to chars: ASCII as is, valid UTF-8 as Unicode (to be mapped and punycoded), anything else byte by byte.
        var scratchLength = (raw.Length * 12) + 64;
        char[]? rented = null;
        var scratch = scratchLength <= 1024 ? stackalloc char[scratchLength] : (rented = ArrayPool<char>.Shared.Rent(scratchLength));
        try
        {
            var name = scratch[..raw.Length];
            int nameLength;
            var unicode = false;
            if (Ascii.ToLower(raw, name, out _) == OperationStatus.Done)
            {
                nameLength = raw.Length;
            }
            else if (Utf8.IsValid(raw))
            {
                nameLength = Encoding.UTF8.GetChars(raw, name);
                nameLength = MapUnicode(name[..nameLength]);
                unicode = true;
            }
            else
            {
                if (strict)
                {
                    return new Rejection(RejectionCodes.InvalidHost, "The host is not valid UTF-8.");
                }

                // Bytes that are no text are kept as bytes (0x80-0xFF as chars of the same value) and escaped below.
                for (var i = 0; i < raw.Length; i++)
                {
                    var b = raw[i];
                    name[i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b);
                }

                nameLength = raw.Length;
            }

            nameLength = FoldDots(name[..nameLength]);
            if (nameLength == 0)
            {
                return new Rejection(RejectionCodes.MissingHost, "The URL has no host.");
            }

            ReadOnlySpan<char> ascii = name[..nameLength];
            if (unicode)
            {
                var encoded = scratch[raw.Length..];
                var failure = ToPunycode(ascii, strict, encoded, out var encodedLength);
                if (failure is not null)
                {
                    return failure;
                }

                ascii = encoded[..encodedLength];
            }

            var delimiter = ascii.IndexOfAny(':', '[', ']');
            if (delimiter >= 0)
            {
                // Would read as a port or an IPv6 literal when the canonical URL is parsed again.
                return new Rejection(RejectionCodes.InvalidHost, $"The host contains '{ascii[delimiter]}' outside an IPv6 address.");
            }

            if (Ipv4Host.TryParse(ascii, out var address))
            {
                kind = HostKind.IPv4;
                Span<char> quad = stackalloc char[15];
                output.Append(quad[..Ipv4Host.Format(address, quad)]);
                return null;
            }

            if (strict)
            {
                var failure = ValidateWebHostName(ascii);
                if (failure is not null)
                {
                    return failure;
                }
            }

            output.AppendEscaped(ascii);
            return null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static Rejection? AppendIPv6(ReadOnlySpan<byte> bracketed, ref CharBuilder output)
    {
        var inner = bracketed[1..^1];
        Span<char> chars = stackalloc char[64];
        if (inner.IsEmpty || inner.Length > chars.Length)
        {
            return new Rejection(RejectionCodes.InvalidHost, "The bracketed host is not an IPv6 address.");
        }

        for (var i = 0; i < inner.Length; i++)
        {
            var c = (char)inner[i];
            if (!(char.IsAsciiHexDigit(c) || c is ':' or '.'))
            {
                return new Rejection(RejectionCodes.InvalidHost, "The bracketed host is not an IPv6 address (zone ids are not accepted).");
            }

            chars[i] = c;
        }

        if (!IPAddress.TryParse(chars[..inner.Length], out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return new Rejection(RejectionCodes.InvalidHost, "The bracketed host is not an IPv6 address.");
        }

        Span<char> formatted = stackalloc char[64];
        address.TryFormat(formatted, out var written);
        output.Append('[');
        output.Append(formatted[..written]);
        output.Append(']');
        return null;
    }

    /// <summary>
    /// The part of UTS #46 mapping that does not need Unicode tables: fullwidth letters, digits and hyphen to ASCII, ideographic and
    /// fullwidth full stops to '.', then simple lower-casing. Returns the new length (never longer).
    /// </summary>
    private static int MapUnicode(Span<char> name)
    {
        var w = 0;
        for (var r = 0; r < name.Length; r++)
        {
            var c = name[r];
            if (c is (>= '\uFF10' and <= '\uFF19') or (>= '\uFF21' and <= '\uFF3A') or (>= '\uFF41' and <= '\uFF5A') or '\uFF0D')
            {
                // Fullwidth letters, digits and hyphen only: fullwidth '%', '/' or '@' must not become delimiters.
                c = (char)(c - 0xFEE0);
            }
            else if (c is '\u3002' or '\uFF0E' or '\uFF61')
            {
                c = '.';
            }

            if (char.IsHighSurrogate(c) && r + 1 < name.Length && char.IsLowSurrogate(name[r + 1]))
            {
                var lower = Rune.ToLowerInvariant(new Rune(c, name[r + 1]));
                w += lower.EncodeToUtf16(name[w..]);
                r++;
                continue;
            }

            name[w++] = char.ToLowerInvariant(c);
        }

        return w;
    }

    /// <summary>Removes leading and trailing dots and folds runs of dots; returns the new length.</summary>
    private static int FoldDots(Span<char> name)
    {
        if (name.IsEmpty || (name[0] != '.' && name[^1] != '.' && name.IndexOf("..") < 0))
        {
            return name.Length;
        }

        var w = 0;
        for (var r = 0; r < name.Length; r++)
        {
            if (name[r] == '.' && (w == 0 || name[w - 1] == '.'))
            {
                continue;
            }

            name[w++] = name[r];
        }

        if (w > 0 && name[w - 1] == '.')
        {
            w--;
        }

        return w;
    }

    private static Rejection? ToPunycode(ReadOnlySpan<char> name, bool strict, Span<char> output, out int written)
    {
        written = 0;
        Span<int> points = stackalloc int[64];
        Span<byte> utf8 = stackalloc byte[4];
        var start = 0;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] != '.')
            {
                continue;
            }

            var label = name[start..i];
            if (start > 0)
            {
                output[written++] = '.';
            }

            start = i + 1;
            if (Ascii.IsValid(label))
            {
                label.CopyTo(output[written..]);
                written += label.Length;
                continue;
            }

            if (!strict && !IsIdnCandidate(label))
            {
                // Not a host name label (e.g. "%\u0430" or "a b\u00fc"): punycode would reorder its ASCII, so its
                // UTF-8 bytes are kept and escaped instead, like bytes that are not text.
                foreach (var rune in label.EnumerateRunes())
                {
                    var utf8Length = rune.EncodeToUtf8(utf8);
                    for (var k = 0; k < utf8Length; k++)
                    {
                        output[written++] = (char)utf8[k];
                    }
                }

                continue;
            }

            var count = 0;
            foreach (var rune in label.EnumerateRunes())
            {
                if (count == points.Length)
                {
                    return new Rejection(RejectionCodes.HostTooLong, "A host label is longer than 63 characters.");
                }

                if (strict && !IsLabelRune(rune))
                {
                    return new Rejection(RejectionCodes.InvalidHost, $"The host contains U+{rune.Value:X4}, which no host name may contain.");
                }

                points[count++] = rune.Value;
            }

            "xn--".CopyTo(output[written..]);
            written += 4;
            if (!Punycode.TryEncode(points[..count], output[written..], out var n))
            {
                return new Rejection(RejectionCodes.InvalidHost, "The host cannot be written in punycode.");
            }

            written += n;
        }

        return null;
    }

    private static bool IsIdnCandidate(ReadOnlySpan<char> label)
    {
        foreach (var c in label)
        {
            if (c < 0x80 && !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// What a strict host label may hold: ASCII letters, digits, '-' and '_'; other letters, marks, decimal digits and
    /// symbols (emoji names resolve in browsers). Spaces, punctuation, format characters (zero-width, bidi overrides)
    /// and controls are refused.
    /// </summary>
    private static bool IsLabelRune(Rune rune)
    {
        if (rune.IsAscii)
        {
            var c = (char)rune.Value;
            return char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
        }

        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark
                or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber
                or UnicodeCategory.OtherSymbol => true, // emoji and pictographs: such names exist and resolve (e.g. ☃.net)
            _ => false,
        };
    }

    /// <summary>
    /// A host a browser could resolve: at most 253 characters, labels of 1-63 [a-z0-9-_], at least two labels, and a
    /// last label that is not a number (a failed IPv4 address, which browsers refuse).
    /// </summary>
    private static Rejection? ValidateWebHostName(ReadOnlySpan<char> host)
    {
        if (host.Length > CanonicalUrl.MaxHostLength)
        {
            return new Rejection(RejectionCodes.HostTooLong, $"The host is {host.Length} characters long; at most {CanonicalUrl.MaxHostLength} are allowed.");
        }

        var labels = 0;
        var start = 0;
        for (var i = 0; i <= host.Length; i++)
        {
            if (i < host.Length)
            {
                var c = host[i];
                if (c == '.')
                {
                    // handled below
                }
                else if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
                {
                    return new Rejection(RejectionCodes.InvalidHost, c < 0x20 || c >= 0x7F
                        ? $"The host contains the character 0x{(int)c:X2}."
                        : $"The host contains '{c}', which no host name may contain.");
                }
                else
                {
                    continue;
                }
            }

            if (i - start > 63)
            {
                return new Rejection(RejectionCodes.HostTooLong, "A host label is longer than 63 characters.");
            }

            labels++;
            if (i == host.Length)
            {
                var last = host[start..];
                if (IsNumericLabel(last))
                {
                    return new Rejection(RejectionCodes.InvalidHost, "The host ends in a number but is not an IPv4 address.");
                }
            }

            start = i + 1;
        }

        return labels < 2
            ? new Rejection(RejectionCodes.InvalidHost, "The host has a single label; a web host needs a domain (e.g. example.org).")
            : null;
    }

    private static bool IsNumericLabel(ReadOnlySpan<char> label)
    {
        if (label.Length >= 2 && label[0] == '0' && label[1] == 'x')
        {
            foreach (var c in label[2..])
            {
                if (!char.IsAsciiHexDigit(c))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (var c in label)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the canonical path: dot segments resolved, empty segments dropped, bytes escaped.</summary>
    private static void AppendPath(ReadOnlySpan<byte> path, ref CharBuilder output)
    {
        var baseLength = output.Length;
        var maxSegments = (path.Length / 2) + 2;
        int[]? rented = null;
        var starts = maxSegments <= 128 ? stackalloc int[maxSegments] : (rented = ArrayPool<int>.Shared.Rent(maxSegments));
        try
        {
            var depth = 0;
            var endsWithSlash = false;
            var i = 0;
            while (i < path.Length)
            {
                if (path[i] == '/')
                {
                    i++;
                    continue;
                }

                var end = path[i..].IndexOf((byte)'/');
                end = end < 0 ? path.Length : i + end;
                var segment = path[i..end];
                var followedBySlash = end < path.Length;
                i = end;
                if (segment.SequenceEqual("."u8))
                {
                    endsWithSlash = true;
                    continue;
                }

                if (segment.SequenceEqual(".."u8))
                {
                    if (depth > 0)
                    {
                        output.Truncate(starts[--depth]);
                    }

                    endsWithSlash = true;
                    continue;
                }

                starts[depth++] = output.Length;
                output.Append('/');
                output.AppendEscaped(segment);

                endsWithSlash = followedBySlash;
            }

            if (output.Length == baseLength || endsWithSlash)
            {
                output.Append('/');
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }
}
