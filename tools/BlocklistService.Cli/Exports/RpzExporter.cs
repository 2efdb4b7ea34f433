using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Exports;

/// <summary>How blocked names are answered by the RPZ.</summary>
public sealed record RpzOptions
{
    /// <summary>CNAME target of every trigger (a stop page that tells users why); null with no addresses means NXDOMAIN.</summary>
    public string? StopPageHost { get; init; }

    /// <summary>A/AAAA answers of the stop page, for resolvers that cannot redirect by CNAME (e.g. Knot Resolver).</summary>
    public IReadOnlyList<IPAddress> StopPageAddresses { get; init; } = [];

    /// <summary>TTL of the zone's records and of negative answers, in seconds.</summary>
    public int TimeToLive { get; init; } = 300;
}

/// <summary>
/// Writes a Response Policy Zone. The SOA serial is the list version. Each host-scope entry becomes two QNAME triggers,
/// <c>host</c> and <c>*.host</c> (the host and all its subdomains), answered with NXDOMAIN (<c>CNAME .</c>), a CNAME to
/// the stop page, or the stop page's A/AAAA records. Names are relative to the zone's origin, so the resolver
/// configuration chooses the zone name. Left out and counted in the header: URL-level entries (exact/path: DNS sees
/// only names, so they go to the proxy formats), IP-literal hosts (rpz-ip triggers act on answers and would block
/// every site sharing that address, which is not proportionate; rpz-client-ip is about clients) and hosts that are no
/// plain DNS name or would be too long under a zone name of up to <see cref="MaxOriginLength"/> characters.
/// </summary>
public sealed class RpzExporter(RpzOptions options) : IMergeableExporter
{
    /// <summary>The zone-name length every written name leaves room for.</summary>
    public const int MaxOriginLength = 63;

    public ExportFormat Format => ExportFormat.Rpz;

    public IReadOnlyList<ExportPart> Parts { get; } = [new("zone", "blocklist.rpz")];

    public int HeaderLines => 9;

    public string? Footer => null;

    public string? Separator => null;

    public async Task<ExportSummary> WriteAsync(LocalListState state, IReadOnlyList<TextWriter> writers, CancellationToken cancellationToken)
    {
        CheckSerial(state.Version);
        var skipped = new SkipCounter();
        var hosts = new HostSlice[state.Count];
        var count = 0;
        foreach (var entry in state.Entries)
        {
            if (entry.Scope != EntryScope.Host)
            {
                skipped.Add(SkipReasons.UrlLevel);
                continue;
            }

            var host = new HostSlice(entry.Expression);
            switch (DnsName.Classify(host.Span, reserve: 2 + 1 + MaxOriginLength))
            {
                case DnsNameKind.Name: hosts[count++] = host; break;
                case DnsNameKind.IpLiteral: skipped.Add(SkipReasons.IpLiteral); break;
                default: skipped.Add(SkipReasons.Unrepresentable); break;
            }
        }

        // Hosts that already come in order (e.g. a state kept sorted by name) skip the sort: one linear check. Otherwise
        // the names are copied out and sorted as strings, which sorts faster than slices of the expressions.
        if (!IsSorted(hosts.AsSpan(0, count)))
        {
            var names = new string[count];
            for (var i = 0; i < count; i++)
            {
                names[i] = hosts[i].Span.ToString();
            }

            Array.Sort(names, string.CompareOrdinal);
            for (var i = 0; i < count; i++)
            {
                hosts[i] = new HostSlice(names[i]);
            }
        }

        var answers = Answers();
        var w = writers[0];
        var summary = new ExportSummary(count, skipped.ToDictionary());
        await w.WriteAsync(Header(state.List, state.Version, summary));
        WriteTriggers(w, hosts.AsSpan(0, count), answers.Select(answer => answer + w.NewLine).ToArray(), cancellationToken);
        return summary;
    }

    public string Header(ListName list, long version, ExportSummary summary)
    {
        CheckSerial(version);
        return $"; BlocklistService response policy zone: list {list}, version {version}\n"
            + $"; policy: {Policy()}\n"
            + $"; {summary.Written} host entries written as QNAME triggers for the host and its subdomains\n"
            + $"; {summary.Skipped.GetValueOrDefault(SkipReasons.UrlLevel)} URL-level (exact/path) entries not expressible in DNS: use the squid, plain or json export\n"
            + $"; {summary.Skipped.GetValueOrDefault(SkipReasons.IpLiteral)} IP-literal hosts skipped (an rpz-ip trigger would block every site on that address)\n"
            + $"; {summary.Skipped.GetValueOrDefault(SkipReasons.Unrepresentable)} hosts skipped that are no plain DNS name\n"
            + $"$TTL {options.TimeToLive}\n"
            + $"@ IN SOA localhost. hostmaster.localhost. {version} 3600 600 604800 {options.TimeToLive}\n"
            + "@ IN NS localhost.\n";
    }

    public string? KeyOf(ListEntry entry, out string? skipReason) =>
        DnsName.HostKeyOf(entry, reserve: 2 + 1 + MaxOriginLength, out skipReason);

    public string GroupText(ListEntry entry, string key) =>
        string.Concat(Answers().Select(answer => $"{key}{answer}\n*.{key}{answer}\n"));

    /// <summary>A trigger line's host: the owner name before the first space, without a leading <c>*.</c>.</summary>
    // Called per record or line of a million-entry file in a short-lived process: compiled optimized at once, not tiered up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<byte> LineKey(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
        {
            return default;
        }

        var owner = line[..space];
        return owner.StartsWith("*."u8) ? owner[2..] : owner;
    }

    private static void CheckSerial(long version)
    {
        if (version > uint.MaxValue)
        {
            throw new CliException("version-too-large", $"List version {version} does not fit an SOA serial (32 bits).", "Use the json or plain export for this list.");
        }
    }

    /// <summary>
    /// Writes <c>host{answer}</c> and <c>*.host{answer}</c> for every host and answer, filling a large char buffer
    /// and handing it to the writer in one call per block rather than several calls (and strings) per line.
    /// </summary>
    private static void WriteTriggers(TextWriter w, ReadOnlySpan<HostSlice> hosts, string[] answerLines, CancellationToken cancellationToken)
    {
        const int BlockChars = 1 << 15;
        var longestAnswer = 0;
        foreach (var line in answerLines)
        {
            longestAnswer = Math.Max(longestAnswer, line.Length);
        }

        // The longest record pair ("*." + a 253-character name + answer, twice per answer) always fits a block.
        var block = ArrayPool<char>.Shared.Rent(BlockChars + (answerLines.Length * 2 * (2 + DnsName.MaxLength + longestAnswer)));
        try
        {
            var used = 0;
            for (var i = 0; i < hosts.Length; i++)
            {
                if ((i & 0x3FFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var host = hosts[i].Span;
                foreach (var answer in answerLines)
                {
                    host.CopyTo(block.AsSpan(used));
                    used += host.Length;
                    answer.CopyTo(block.AsSpan(used));
                    used += answer.Length;
                    block[used++] = '*';
                    block[used++] = '.';
                    host.CopyTo(block.AsSpan(used));
                    used += host.Length;
                    answer.CopyTo(block.AsSpan(used));
                    used += answer.Length;
                }

                if (used >= BlockChars)
                {
                    w.Write(block.AsSpan(0, used));
                    used = 0;
                }
            }

            w.Write(block.AsSpan(0, used));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(block);
        }
    }

    private static bool IsSorted(ReadOnlySpan<HostSlice> hosts)
    {
        for (var i = 1; i < hosts.Length; i++)
        {
            if (hosts[i - 1].Span.SequenceCompareTo(hosts[i].Span) > 0)
            {
                return false;
            }
        }

        return true;
    }

    private string Policy() =>
        options.StopPageHost is { } host ? $"CNAME to stop page {host}"
        : options.StopPageAddresses.Count > 0 ? $"stop page at {string.Join(", ", options.StopPageAddresses)}"
        : "NXDOMAIN";

    private string[] Answers()
    {
        if (options.StopPageHost is { } host)
        {
            return [$" CNAME {host}."];
        }

        if (options.StopPageAddresses.Count > 0)
        {
            return options.StopPageAddresses
                .Select(a => (a.AddressFamily == AddressFamily.InterNetworkV6 ? " AAAA " : " A ") + a)
                .ToArray();
        }

        return [" CNAME ."];
    }

    /// <summary>The host part of a host-scope expression (<c>host/</c>) or a host name, without copying it.</summary>
    private readonly struct HostSlice(string expression)
    {
        private readonly int length = HostLength(expression);

        public ReadOnlySpan<char> Span
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => expression.AsSpan(0, length);
        }

        private static int HostLength(string expression)
        {
            var slash = expression.IndexOf('/');
            return slash < 0 ? expression.Length : slash;
        }
    }
}
