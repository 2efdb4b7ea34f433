using System.Runtime.CompilerServices;
using System.Text;
using BlocklistService.Domain;
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
                    WriteAnswer(answers, buffer.AsSpan(start, newline));
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
                answers.Write("BH message=\"request line too long\"\n"u8);
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

    /// <summary>The answer line (without newline) to one request line.</summary>
    public string Answer(string line)
    {
        var answers = new MemoryStream();
        WriteAnswer(answers, Encoding.UTF8.GetBytes(line));
        return Encoding.UTF8.GetString(answers.GetBuffer(), 0, (int)answers.Length - 1);
    }

    /// <summary>True when the current list blocks <paramref name="requested"/> as Squid passes it.</summary>
    public bool IsBlocked(ReadOnlySpan<byte> requested)
    {
        Result<CanonicalUrl> parsed;
        if (requested.IndexOf((byte)'%') >= 0 || requested.IndexOf("://"u8) < 0)
        {
            // escaped by Squid, or CONNECT's host:port: rare enough to go through a string
            var url = Uri.UnescapeDataString(Encoding.UTF8.GetString(requested));
            if (!url.Contains("://", StringComparison.Ordinal) && IsAuthority(url))
            {
                // CONNECT host:port: only the host is known, so only host-wide entries can match
                url = "https://" + url[..url.LastIndexOf(':')] + "/";
            }

            parsed = CanonicalUrl.Parse(url);
        }
        else
        {
            parsed = CanonicalUrl.Parse(requested);
        }

        return parsed.TryGetValue(out var canonical) && list.Current.Matcher.IsBlocked(canonical);
    }

    /// <summary>Appends the answer to one request line (its bytes, without the newline) and a newline.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteAnswer(MemoryStream answers, ReadOnlySpan<byte> line)
    {
        line = line.Trim(" \t\r"u8);
        var space = line.IndexOf((byte)' ');
        if (space > 0 && IsDigits(line[..space]))
        {
            answers.Write(line[..(space + 1)]);
            line = line[(space + 1)..].TrimStart(" "u8);
            space = line.IndexOf((byte)' ');
        }

        if (space >= 0)
        {
            line = line[..space]; // further format fields, if any, are not used
        }

        answers.Write(line.IsEmpty ? "BH message=\"no URL\"\n"u8 : IsBlocked(line) ? "OK\n"u8 : "ERR\n"u8);
    }

    private static bool IsDigits(ReadOnlySpan<byte> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit((char)c))
            {
                return false;
            }
        }

        return true;
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
