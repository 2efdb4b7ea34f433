using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;

namespace BlocklistService.Cli.Exports;

/// <summary>
/// Writes a hosts file: <c>0.0.0.0 host</c> per host-scope entry, sorted. A hosts file cannot name subdomains or
/// URLs, so only the listed host itself is blocked; URL-level entries, IP literals and names a hosts file cannot
/// hold are counted in the header and left out.
/// </summary>
public sealed class HostsExporter : IListExporter
{
    public ExportFormat Format => ExportFormat.Hosts;

    public IReadOnlyList<ExportPart> Parts { get; } = [new("hosts", "hosts")];

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
        await w.WriteLineAsync($"# BlocklistService hosts file: list {state.List}, version {state.Version}, {hosts.Count} hosts");
        await w.WriteLineAsync($"# left out: {skipped.Get(SkipReasons.UrlLevel)} URL-level entries, {skipped.Get(SkipReasons.IpLiteral)} IP literals, {skipped.Get(SkipReasons.Unrepresentable)} names a hosts file cannot hold");
        for (var i = 0; i < hosts.Count; i++)
        {
            if ((i & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            w.Write("0.0.0.0 ");
            w.WriteLine(hosts[i]);
        }

        return new ExportSummary(hosts.Count, skipped.ToDictionary());
    }
}
