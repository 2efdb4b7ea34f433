namespace BlocklistService.Cli.Exports;

/// <summary>Why an entry was not written by an export.</summary>
public static class SkipReasons
{
    /// <summary>An exact or path entry in a format that can only block hosts (rpz, hosts).</summary>
    public const string UrlLevel = "url-level";

    /// <summary>An IP-literal host: no DNS query names it.</summary>
    public const string IpLiteral = "ip-literal";

    /// <summary>A host that is not a plain DNS name (characters or lengths a zone or hosts file cannot hold).</summary>
    public const string Unrepresentable = "unrepresentable";

    /// <summary>A host already covered by a listed parent domain (Squid rejects such overlaps).</summary>
    public const string CoveredByParent = "covered-by-parent";
}

/// <summary>What an export wrote: the entry count per output part and the entries left out, by reason.</summary>
public sealed record ExportSummary(int Written, IReadOnlyDictionary<string, int> Skipped)
{
    public int SkippedTotal => Skipped.Values.Sum();
}

/// <summary>Counts skipped entries by reason while an exporter runs.</summary>
internal sealed class SkipCounter
{
    private readonly SortedDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Add(string reason) => _counts[reason] = Get(reason) + 1;

    public int Get(string reason) => _counts.GetValueOrDefault(reason);

    public IReadOnlyDictionary<string, int> ToDictionary() => new SortedDictionary<string, int>(_counts, StringComparer.Ordinal);
}
