using System.Runtime.CompilerServices;
using System.Text;
using BlocklistService.Domain.Urls;

namespace BlocklistService.Cli.Proxy;

/// <summary>
/// Squid's external ACL helper protocol (one request per line on stdin, one answer per line on stdout, in any order
/// when Squid numbers its requests): <c>[channel-ID ]URL</c> → <c>[channel-ID ]OK</c> when the list blocks the URL,
/// <c>ERR</c> when it does not, <c>BH</c> for a line that is not a request. The URL comes as Squid's <c>%URI</c>
/// (URL-escaped by Squid's default <c>quote=url</c>; unescaped once here) or, for CONNECT, as <c>host:port</c>, which is
/// matched as the host alone. Matching is the domain's: canonicalize, generate the Safe Browsing lookup expressions,
/// hash each, look the ids up, so a plain and a hashed state answer alike.
/// The answers to every request that arrived in one read are written in one write, so a burst costs one system call
/// and a lone request is answered at once.
/// </summary>
public sealed class SquidAclHelper(LiveIdSet list)
{
    /// <summary>The longest request line accepted; a longer one is answered <c>BH</c>.</summary>
    public const int MaxLineBytes = 1 << 16;

    /// <summary>Answers requests from <paramref name="input"/> until it ends; returns the number of requests answered.</summary>
    public async Task<long> RunAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxLineBytes * 2];
        var answers = new MemoryStream(1 << 16);
        var filled = 0;
        var skipping = false;
        long answered = 0;
        while (true)
        {
            var read = await input.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
            var start = 0;
            int newline;
            while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
            {
                if (!skipping)
                {
                    WriteAnswer(answers, Answer(Encoding.UTF8.GetString(buffer, start, newline)));
                    answered++;
                }

                skipping = false;
                start += newline + 1;
            }

            // keep the unfinished line; one longer than the limit is answered BH now and its rest skipped
            filled -= start;
            buffer.AsSpan(start, filled).CopyTo(buffer);
            if (filled > MaxLineBytes && !skipping)
            {
                WriteAnswer(answers, "BH message=\"request line too long\"");
                answered++;
                skipping = true;
            }

            if (skipping)
            {
                filled = 0;
            }

            // every complete request of this read is answered in one write, before waiting for more
            if (answers.Length > 0)
            {
                await output.WriteAsync(answers.GetBuffer().AsMemory(0, (int)answers.Length), cancellationToken);
                await output.FlushAsync(cancellationToken);
                answers.SetLength(0);
            }
        }

        return answered;
    }

    private static void WriteAnswer(MemoryStream answers, string answer)
    {
        if (answer.Length > 256)
        {
            answers.Write(Encoding.UTF8.GetBytes(answer));
            answers.WriteByte((byte)'\n');
            return;
        }

        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(answer.Length) + 1];
        var length = Encoding.UTF8.GetBytes(answer, bytes);
        bytes[length] = (byte)'\n';
        answers.Write(bytes[..(length + 1)]);
    }

    /// <summary>The answer line (without newline) to one request line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string Answer(string line)
    {
        var span = line.AsSpan().Trim();
        var space = span.IndexOf(' ');
        var channel = ReadOnlySpan<char>.Empty;
        if (space > 0 && IsDigits(span[..space]))
        {
            channel = span[..space];
            span = span[(space + 1)..].TrimStart();
            space = span.IndexOf(' ');
        }

        if (space >= 0)
        {
            span = span[..space]; // further format fields, if any, are not used
        }

        var verdict = span.IsEmpty ? "BH message=\"no URL\"" : IsBlocked(span) ? "OK" : "ERR";
        return channel.IsEmpty ? verdict : string.Concat(channel, " ", verdict);
    }

    /// <summary>True when the current list blocks <paramref name="requested"/> as Squid passes it.</summary>
    public bool IsBlocked(ReadOnlySpan<char> requested)
    {
        var url = requested.Contains('%') ? Uri.UnescapeDataString(requested.ToString()) : requested.ToString();
        if (!url.Contains("://", StringComparison.Ordinal) && IsAuthority(url))
        {
            // CONNECT host:port: only the host is known, so only host-wide entries can match
            url = "https://" + url[..url.LastIndexOf(':')] + "/";
        }

        var parsed = CanonicalUrl.Parse(url);
        return parsed.TryGetValue(out var canonical) && list.Current.Matcher.IsBlocked(canonical);
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAuthority(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && colon < text.Length - 1 && IsDigits(text.AsSpan(colon + 1)) && !text.Contains('/', StringComparison.Ordinal);
    }
}
