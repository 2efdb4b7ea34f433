namespace BlocklistService.Domain.Urls;

/// <summary>
/// Safe Browsing's suffix/prefix expressions for a canonical URL: up to 5 host strings × up to 6 path strings,
/// each written host + path without scheme, e.g. <c>b.c/1/</c>.
/// </summary>
internal static class SuffixPrefixExpressions
{
    private const int MaxHostLabels = 5;
    private const int MaxPrefixDirectories = 3;

    public static IReadOnlyList<string> Hosts(CanonicalUrl url)
    {
        var host = url.HostSpan;
        var hosts = new List<string>(MaxHostLabels) { url.Host };
        if (url.HostKind != HostKind.Name)
        {
            return hosts;
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
        for (var labels = Math.Min(MaxHostLabels, found); labels >= 2; labels--)
        {
            hosts.Add(new string(host[(dots[labels - 1] + 1)..]));
        }

        return hosts;
    }

    public static IReadOnlyList<string> Paths(CanonicalUrl url)
    {
        var path = url.PathSpan;
        var query = url.QuerySpan;
        var paths = new List<string>(6);
        if (!query.IsEmpty)
        {
            paths.Add(string.Concat(path, "?", query));
        }

        paths.Add(url.Path);
        Span<int> prefixEnds = stackalloc int[MaxPrefixDirectories + 1];
        var count = 0;
        for (var i = 0; i < path.Length && count <= MaxPrefixDirectories; i++)
        {
            if (path[i] == '/')
            {
                prefixEnds[count++] = i + 1;
            }
        }

        for (var k = count - 1; k >= 0; k--)
        {
            if (prefixEnds[k] != path.Length)
            {
                paths.Add(new string(path[..prefixEnds[k]]));
            }
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
}
