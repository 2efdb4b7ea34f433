using System.Buffers;
using System.Text;

namespace BlocklistService.Domain.Urls;

/// <summary>Receives one lookup expression as UTF-8 bytes; returning true stops the walk (e.g. on a hit).</summary>
public delegate bool ExpressionVisitor(ReadOnlySpan<byte> expression);

/// <summary>
/// Safe Browsing's suffix/prefix expressions for a canonical URL: up to 5 host strings × up to 6 path strings,
/// each written host + path without scheme, e.g. <c>b.c/1/</c>. Every expression is a host suffix of the canonical
/// host followed by a prefix of its path (or the path with its query), so the rule is computed once as offsets and
/// then either materialized as strings or written, without allocating, as UTF-8 bytes for hashing.
/// </summary>
internal static class SuffixPrefixExpressions
{
    private const int MaxHostLabels = 5;
    private const int MaxPrefixDirectories = 3;
    private const int MaxPaths = MaxPrefixDirectories + 3;

    /// <summary>A path variant's length meaning "the whole path, then <c>?</c> and the query".</summary>
    private const int WithQuery = -1;

    public static IReadOnlyList<string> Hosts(CanonicalUrl url)
    {
        Span<int> starts = stackalloc int[MaxHostLabels];
        var count = HostStarts(url, starts);
        var hosts = new List<string>(count);
        foreach (var start in starts[..count])
        {
            hosts.Add(new string(url.HostSpan[start..]));
        }

        return hosts;
    }

    public static IReadOnlyList<string> Paths(CanonicalUrl url)
    {
        Span<int> lengths = stackalloc int[MaxPaths];
        var count = PathLengths(url, lengths);
        var paths = new List<string>(count);
        foreach (var length in lengths[..count])
        {
            paths.Add(length == WithQuery ? string.Concat(url.PathSpan, "?", url.QuerySpan) : new string(url.PathSpan[..length]));
        }

        return paths;
    }

    public static IReadOnlyList<string> All(CanonicalUrl url)
    {
        var hosts = Hosts(url);
        var paths = Paths(url);
        var all = new List<string>(hosts.Count * paths.Count);
        foreach (var host in hosts)
        {
            foreach (var path in paths)
            {
                all.Add(string.Concat(host, path));
            }
        }

        return all;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with each expression's UTF-8 bytes in the order of <see cref="All"/>, until it
    /// returns true (then true). The bytes live in a buffer reused between calls; nothing is allocated for URLs of usual length.
    /// </summary>
    public static bool Any(CanonicalUrl url, ExpressionVisitor visit)
    {
        Span<int> starts = stackalloc int[MaxHostLabels];
        Span<int> lengths = stackalloc int[MaxPaths];
        var hostCount = HostStarts(url, starts);
        var pathCount = PathLengths(url, lengths);
        var host = url.HostSpan;
        var path = url.PathSpan;
        var query = url.QuerySpan;
        var longest = host.Length + path.Length + 1 + query.Length;
        byte[]? rented = null;
        var buffer = longest <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(longest)));
        try
        {
            foreach (var start in starts[..hostCount])
            {
                var hostLength = Write(host[start..], buffer);
                foreach (var length in lengths[..pathCount])
                {
                    var used = hostLength + WritePath(path, query, length, buffer[hostLength..]);
                    if (visit(buffer[..used]))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The most expressions a URL has: 5 hosts × 6 paths.</summary>
    public const int MaxExpressions = MaxHostLabels * MaxPaths;

    /// <summary>
    /// Writes every expression's UTF-8 bytes into <paramref name="buffer"/> (in the order of <see cref="All"/>) and
    /// their places into <paramref name="expressions"/>; the number written, or -1 when the buffer is too small.
    /// </summary>
    public static int TryWriteAll(CanonicalUrl url, Span<byte> buffer, Span<Range> expressions)
    {
        Span<int> starts = stackalloc int[MaxHostLabels];
        Span<int> lengths = stackalloc int[MaxPaths];
        var hostCount = HostStarts(url, starts);
        var pathCount = PathLengths(url, lengths);
        var host = url.HostSpan;
        var path = url.PathSpan;
        var query = url.QuerySpan;
        if ((host.Length + path.Length + 1 + query.Length) * 3 * hostCount * pathCount > buffer.Length)
        {
            return -1;
        }

        var at = 0;
        var count = 0;
        foreach (var start in starts[..hostCount])
        {
            foreach (var length in lengths[..pathCount])
            {
                var begin = at;
                at += Write(host[start..], buffer[at..]);
                at += WritePath(path, query, length, buffer[at..]);
                expressions[count++] = begin..at;
            }
        }

        return count;
    }

    /// <summary>Offsets into the canonical host of the lookup hosts, most specific first: the host, then up to 4 suffixes of 5..2 labels.</summary>
    private static int HostStarts(CanonicalUrl url, Span<int> starts)
    {
        var host = url.HostSpan;
        starts[0] = 0;
        if (url.HostKind != HostKind.Name)
        {
            return 1;
        }

        Span<int> dots = stackalloc int[MaxHostLabels];
        var found = 0;
        for (var i = host.Length - 1; i >= 0 && found < MaxHostLabels; i--)
        {
            if (host[i] == '.')
            {
                dots[found++] = i;
            }
        }

        // dots[k] is the dot before the last k+1 labels: the suffix after it has k+1 labels.
        var count = 1;
        for (var labels = Math.Min(MaxHostLabels, found); labels >= 2; labels--)
        {
            starts[count++] = dots[labels - 1] + 1;
        }

        return count;
    }

    /// <summary>
    /// The path variants, most specific first: the path with its query (when there is one), the path, then up to 4
    /// prefixes ending in '/' (from the longest), as lengths into the path (<see cref="WithQuery"/> for the first).
    /// </summary>
    private static int PathLengths(CanonicalUrl url, Span<int> lengths)
    {
        var path = url.PathSpan;
        var count = 0;
        if (!url.QuerySpan.IsEmpty)
        {
            lengths[count++] = WithQuery;
        }

        lengths[count++] = path.Length;
        Span<int> prefixEnds = stackalloc int[MaxPrefixDirectories + 1];
        var ends = 0;
        for (var i = 0; i < path.Length && ends <= MaxPrefixDirectories; i++)
        {
            if (path[i] == '/')
            {
                prefixEnds[ends++] = i + 1;
            }
        }

        for (var k = ends - 1; k >= 0; k--)
        {
            if (prefixEnds[k] != path.Length)
            {
                lengths[count++] = prefixEnds[k];
            }
        }

        return count;
    }

    /// <summary>
    /// Writes one path variant (<see cref="PathLengths"/>) as UTF-8: the first <paramref name="length"/> characters of
    /// the path, or for <see cref="WithQuery"/> the whole path, <c>?</c> and the query. Returns the bytes written.
    /// </summary>
    private static int WritePath(ReadOnlySpan<char> path, ReadOnlySpan<char> query, int length, Span<byte> destination)
    {
        if (length != WithQuery)
        {
            return Write(path[..length], destination);
        }

        var used = Write(path, destination);
        destination[used++] = (byte)'?';
        return used + Write(query, destination[used..]);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (canonical URLs are ASCII; anything else is encoded properly).</summary>
    private static int Write(ReadOnlySpan<char> text, Span<byte> destination)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c > 0x7f)
            {
                return i + Encoding.UTF8.GetBytes(text[i..], destination[i..]);
            }

            destination[i] = (byte)c;
        }

        return text.Length;
    }
}
