namespace BlocklistService.Domain.Entries;

/// <summary>
/// Hosts whose whole-host block would be an outage (search, mail, cloud storage, social, video, code hosting, CDNs,
/// government, news): a host is covered when it is one of them or a subdomain of one (suffix match on whole labels),
/// so <c>drive.google.com</c> is covered by <c>google.com</c>. Host scope on a covered host is refused; narrower entries
/// are held for review. A lookup walks the host's labels: O(labels), whatever the size of the set.
/// </summary>
public sealed class ProtectedHosts
{
    private readonly HashSet<string> _hosts;

    public ProtectedHosts(IEnumerable<string> hosts) =>
        _hosts = hosts.Select(Normalize).Where(h => h.Length > 0).ToHashSet(StringComparer.Ordinal);

    public static ProtectedHosts None { get; } = new([]);

    public int Count => _hosts.Count;

    public IReadOnlyCollection<string> Hosts => _hosts;

    /// <summary>The protected host covering <paramref name="host"/> (itself or a parent domain), or null.</summary>
    public string? CoveringHost(string host)
    {
        var candidate = Normalize(host);
        while (candidate.Length > 0)
        {
            if (_hosts.Contains(candidate))
            {
                return candidate;
            }

            var dot = candidate.IndexOf('.');
            candidate = dot < 0 ? string.Empty : candidate[(dot + 1)..];
        }

        return null;
    }

    public bool Covers(string host) => CoveringHost(host) is not null;

    /// <summary>The host of an entry expression (<c>host/path…</c>).</summary>
    public static string HostOf(string expression)
    {
        var slash = expression.IndexOf('/');
        return slash < 0 ? expression : expression[..slash];
    }

    /// <summary>Lowercase, no surrounding white space, no trailing dot.</summary>
    public static string Normalize(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();
}
