using System.Text;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;

namespace BlocklistService.Cli.Exports;

/// <summary>
/// Writes two Squid ACL files. <c>domains</c> (for <c>dstdomain</c>): one <c>.host</c> per host-scope entry, which
/// matches the host and its subdomains; IPv4 literals as-is; subdomains of a listed domain are left out, because
/// Squid refuses overlapping dstdomain entries. <c>urls</c> (for <c>url_regex</c>): one POSIX extended regular
/// expression per exact/path entry, matching http(s) URLs on the host or a subdomain (as Safe Browsing's host-suffix
/// lookups do), any port; a path entry matches its prefix, an exact entry that path (and any query when the entry has
/// none, else exactly that query). The header of each file holds the squid.conf lines that use them. Squid sees URL
/// paths only for plain HTTP or bumped TLS; for CONNECT tunnels only the domain list applies.
/// </summary>
public sealed class SquidExporter : IListExporter
{
    public ExportFormat Format => ExportFormat.Squid;

    public IReadOnlyList<ExportPart> Parts { get; } = [new("domains", "squid-domains.txt"), new("urls", "squid-urls.txt")];

    /// <summary>The files' final paths, used only to write the squid.conf example; null writes placeholders.</summary>
    public IReadOnlyList<string>? Paths { get; init; }

    public async Task<ExportSummary> WriteAsync(LocalListState state, IReadOnlyList<TextWriter> writers, CancellationToken cancellationToken)
    {
        var skipped = new SkipCounter();
        var domains = new HashSet<string>(StringComparer.Ordinal);
        var addresses = new List<string>();
        var urls = new List<string>();
        foreach (var entry in state.Entries)
        {
            if (entry.Scope != EntryScope.Host)
            {
                urls.Add(UrlPattern(entry.Expression, entry.Scope));
                continue;
            }

            var host = DnsName.HostOf(entry.Expression);
            switch (DnsName.Classify(host))
            {
                case DnsNameKind.Name: domains.Add(host); break;
                case DnsNameKind.IpLiteral when !host.Contains(':') && host[0] != '[': addresses.Add(host); break;
                case DnsNameKind.IpLiteral: skipped.Add(SkipReasons.IpLiteral); break;
                default: skipped.Add(SkipReasons.Unrepresentable); break;
            }
        }

        var kept = new List<string>(domains.Count);
        foreach (var domain in domains)
        {
            if (HasListedParent(domain, domains))
            {
                skipped.Add(SkipReasons.CoveredByParent);
            }
            else
            {
                kept.Add(domain);
            }
        }

        kept.Sort(StringComparer.Ordinal);
        addresses.Sort(StringComparer.Ordinal);
        urls.Sort(StringComparer.Ordinal);
        var acl = $"blocklist_{state.List.Value.Replace('-', '_')}";
        var domainPath = Paths?[0] ?? "/etc/squid/" + Parts[0].DefaultFileName;
        var urlPath = Paths?[1] ?? "/etc/squid/" + Parts[1].DefaultFileName;
        var header = new StringBuilder()
            .Append("# BlocklistService Squid ACLs: list ").Append(state.List.Value).Append(", version ").Append(state.Version).Append('\n')
            .Append("# ").Append(kept.Count + addresses.Count).Append(" host entries in the domain list, ").Append(urls.Count).Append(" URL entries in the url_regex list\n")
            .Append("# left out: ").Append(skipped.Get(SkipReasons.CoveredByParent)).Append(" subdomains of listed domains, ")
            .Append(skipped.Get(SkipReasons.IpLiteral)).Append(" IPv6 literals, ").Append(skipped.Get(SkipReasons.Unrepresentable)).Append(" hosts that are no plain DNS name\n")
            .Append("# squid.conf (before your http_access allow lines):\n")
            .Append("#   acl ").Append(acl).Append("_domains dstdomain \"").Append(domainPath).Append("\"\n")
            .Append("#   acl ").Append(acl).Append("_urls url_regex \"").Append(urlPath).Append("\"\n")
            .Append("#   http_access deny ").Append(acl).Append("_domains\n")
            .Append("#   http_access deny ").Append(acl).Append("_urls\n")
            .ToString();

        await writers[0].WriteAsync(header);
        await WriteLinesAsync(writers[0], kept.Select(d => "." + d).Concat(addresses), cancellationToken);
        await writers[1].WriteAsync(header);
        await WriteLinesAsync(writers[1], urls, cancellationToken);
        return new ExportSummary(kept.Count + addresses.Count + urls.Count, skipped.ToDictionary());
    }

    /// <summary>The url_regex for an exact or path expression (<c>host/path[?query]</c>).</summary>
    public static string UrlPattern(string expression, EntryScope scope)
    {
        var slash = expression.IndexOf('/');
        var host = slash < 0 ? expression : expression[..slash];
        var rest = slash < 0 ? "/" : expression[slash..];
        var pattern = new StringBuilder("^https?://([^/?#:@]+\\.)?");
        Escape(pattern, host);
        pattern.Append("(:[0-9]+)?");
        Escape(pattern, rest);
        if (scope == EntryScope.Exact)
        {
            pattern.Append(rest.Contains('?') ? "$" : "(\\?.*)?$");
        }

        return pattern.ToString();
    }

    private static void Escape(StringBuilder pattern, string text)
    {
        foreach (var c in text)
        {
            if (".[]{}()\\*+?^$|".Contains(c))
            {
                pattern.Append('\\');
            }

            pattern.Append(c);
        }
    }

    private static bool HasListedParent(string domain, HashSet<string> domains)
    {
        for (var dot = domain.IndexOf('.'); dot >= 0; dot = domain.IndexOf('.', dot + 1))
        {
            if (domains.Contains(domain[(dot + 1)..]))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task WriteLinesAsync(TextWriter writer, IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        var count = 0;
        foreach (var line in lines)
        {
            if ((count++ & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            await writer.WriteLineAsync(line);
        }
    }
}
