using System.Diagnostics.Metrics;

namespace BlocklistService.Functions.Telemetry;

/// <summary>
/// The service's own metrics (meter <see cref="MeterName"/>), the figures operators watch: publish duration and outcome
/// per list, list versions and entry counts, ingest items by outcome and reason, ISP lag, polls and their 304 share,
/// holds open. Tags carry list names, outcomes and reason codes only: never keys, hotlines' references or URLs.
/// Recording is a no-op unless a listener (the OpenTelemetry SDK) subscribes.
/// </summary>
public sealed class BlocklistMetrics
{
    public const string MeterName = "BlocklistService";

    private readonly Histogram<double> _publishDuration;
    private readonly Gauge<long> _listVersion;
    private readonly Gauge<long> _listEntries;
    private readonly Counter<long> _ingestItems;
    private readonly Histogram<long> _ispLag;
    private readonly Counter<long> _polls;
    private readonly Gauge<long> _holdsOpen;

    public BlocklistMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _publishDuration = meter.CreateHistogram<double>("blocklist.publish.duration", "s", "Time to publish one list in a publish cycle, by list and outcome");
        _listVersion = meter.CreateGauge<long>("blocklist.list.version", "{version}", "The list's current published version");
        _listEntries = meter.CreateGauge<long>("blocklist.list.entries", "{entry}", "Entries in the list's current version");
        _ingestItems = meter.CreateCounter<long>("blocklist.ingest.items", "{item}", "Submitted items by outcome (accepted, rejected, held) and reason code");
        _ispLag = meter.CreateHistogram<long>("blocklist.isp.lag", "{version}", "Versions an ISP's reported version is behind the current one, per report");
        _polls = meter.CreateCounter<long>("blocklist.poll.requests", "{request}", "Update polls by list and result (changed, not-modified): the 304 share");
        _holdsOpen = meter.CreateGauge<long>("blocklist.holds.open", "{hold}", "Versions held by the change guard and awaiting a decision");
    }

    /// <summary>One list's part of a publish cycle finished with <paramref name="outcome"/> after <paramref name="duration"/>.</summary>
    public void PublishFinished(string list, string outcome, TimeSpan duration) =>
        _publishDuration.Record(duration.TotalSeconds, new("list", list), new("outcome", outcome));

    /// <summary>A version of <paramref name="list"/> is published with <paramref name="entries"/> entries.</summary>
    public void ListPublished(string list, long version, long entries)
    {
        _listVersion.Record(version, new KeyValuePair<string, object?>("list", list));
        _listEntries.Record(entries, new KeyValuePair<string, object?>("list", list));
    }

    /// <summary>One submitted item was journaled with <paramref name="outcome"/> (and, when not accepted, a reason code).</summary>
    public void IngestItem(string outcome, string? reason) =>
        _ingestItems.Add(1, new("outcome", outcome), new("reason", reason ?? "none"));

    /// <summary>An ISP reported a version <paramref name="versionsBehind"/> behind the current one of <paramref name="list"/>.</summary>
    public void IspLag(string list, long versionsBehind) =>
        _ispLag.Record(Math.Max(0, versionsBehind), new KeyValuePair<string, object?>("list", list));

    /// <summary>An update poll of <paramref name="list"/> was answered (304 when <paramref name="notModified"/>).</summary>
    public void Poll(string list, bool notModified) =>
        _polls.Add(1, new("list", list), new("result", notModified ? "not-modified" : "changed"));

    /// <summary>The number of versions currently held for a decision.</summary>
    public void HoldsOpen(long count) => _holdsOpen.Record(count);
}
