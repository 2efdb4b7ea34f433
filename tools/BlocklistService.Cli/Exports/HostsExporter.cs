using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Exports;

/// <summary>
/// Writes a hosts file: <c>0.0.0.0 host</c> per host-scope entry, sorted. A hosts file cannot name subdomains or
/// URLs, so only the listed host itself is blocked; URL-level entries, IP literals and names a hosts file cannot
/// hold are counted in the header and left out.
/// </summary>
public sealed class HostsExporter : IMergeableExporter
{
    public ExportFormat Format => ExportFormat.Hosts;

    public IReadOnlyList<ExportPart> Parts { get; } = [new("hosts", "hosts")];

    public int HeaderLines => 2;

    public string? Footer => null;

    public string? Separator => null;

    public async Task<ExportSummary> WriteAsync(LocalListState state, IReadOnlyList<TextWriter> writers, CancellationToken cancellationToken)
    {
        var skipped = new SkipCounter();
        var hosts = new List<string>();
        foreach (var entry in state.Entries)
        {
            if (entry.Scope != EntryScope.Host)
            {
                skipped.Add(SkipReasons.UrlLevel);
                continue;
            }

            var host = DnsName.HostOf(entry.Expression);
            switch (DnsName.Classify(host))
            {
                case DnsNameKind.Name: hosts.Add(host); break;
                case DnsNameKind.IpLiteral: skipped.Add(SkipReasons.IpLiteral); break;
                default: skipped.Add(SkipReasons.Unrepresentable); break;
            }
        }

        hosts.Sort(StringComparer.Ordinal);
        var w = writers[0];
        var summary = new ExportSummary(hosts.Count, skipped.ToDictionary());
        await w.WriteAsync(Header(state.List, state.Version, summary));
        for (var i = 0; i < hosts.Count; i++)
        {
            if ((i & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            w.Write("0.0.0.0 ");
            w.WriteLine(hosts[i]);
        }

        return summary;
    }

    public string Header(ListName list, long version, ExportSummary summary) =>
        $"# BlocklistService hosts file: list {list}, version {version}, {summary.Written} hosts\n"
        + $"# left out: {summary.Skipped.GetValueOrDefault(SkipReasons.UrlLevel)} URL-level entries, {summary.Skipped.GetValueOrDefault(SkipReasons.IpLiteral)} IP literals, {summary.Skipped.GetValueOrDefault(SkipReasons.Unrepresentable)} names a hosts file cannot hold\n";

    public string? KeyOf(ListEntry entry, out string? skipReason) => DnsName.HostKeyOf(entry, reserve: 0, out skipReason);

    public string GroupText(ListEntry entry, string key) => $"0.0.0.0 {key}\n";

    public ReadOnlySpan<byte> LineKey(ReadOnlySpan<byte> line) => line.StartsWith("0.0.0.0 "u8) ? line[8..] : default;
}
