using System.Globalization;
using BlocklistService.Domain.Reporting;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Redress;

/// <summary>One list's figures in one month.</summary>
public sealed record ListMonthReport(string Month, string List, MonthFigures Figures, long? MedianListingDays);

/// <summary>Appeals in one month: received (filed), upheld and dismissed (decided) in it, and the median time to a decision of those decided in it.</summary>
public sealed record AppealMonthReport(string Month, long Received, long Upheld, long Dismissed, double? MedianHoursToDecision);

/// <summary>Nearest-rank percentiles of a set of values.</summary>
public sealed record Percentiles(long Count, double? P50, double? P90, double? P99, double? Max)
{
    public static Percentiles Of(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        double? At(double p) => sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Percentiles(sorted.Length, At(0.5), At(0.9), At(0.99), sorted.Length == 0 ? null : sorted[^1]);
    }
}

/// <summary>ISP lag now (not per month): versions behind the current one, and seconds since the last poll, over every (ISP key, list) with a report.</summary>
public sealed record IspLagReport(DateTimeOffset At, Percentiles VersionsBehind, Percentiles SecondsSinceLastPoll);

/// <summary>The transparency report of the months <c>From</c> … <c>To</c>, counted up to log size <c>Through</c>.</summary>
public sealed record TransparencyReportDocument(string From, string To, long Through, IReadOnlyList<ListMonthReport> Lists, IReadOnlyList<AppealMonthReport> Appeals, IspLagReport IspLag);

/// <summary>
/// Builds the transparency report from the maintained monthly rows (one range query), the appeals table and the ISP
/// table: its cost depends on the months, lists, appeals and ISPs, never on the number of log leaves.
/// </summary>
public sealed class TransparencyReport(IRowStore rows, PublishStorageNames names, ReportAggregates aggregates, IspTracker isps, TimeProvider time)
{
    public async Task<TransparencyReportDocument> BuildAsync(string fromMonth, string toMonth, CancellationToken cancellationToken)
    {
        // Leaves appended since the last publish run (decisions, normally a handful) are counted first. A larger backlog
        // (a restored log, a publisher that was down) is left to the publisher, so a request's cost stays bounded;
        // Through tells the reader how far the figures go.
        var through = await aggregates.CatchUpIfWithinAsync(ReportAggregates.LeavesPerPass, cancellationToken);
        var (from, to) = ReportCodec.Months(fromMonth, toMonth);
        var lists = new List<ListMonthReport>();
        await foreach (var row in rows.QueryAsync(names.ReportMonths, ReportCodec.Partition, from, to, cancellationToken))
        {
            var (month, list, figures, _) = ReportCodec.FromRow(row);
            lists.Add(new ListMonthReport(month, list, figures, figures.MedianListingDays));
        }

        return new TransparencyReportDocument(fromMonth, toMonth, through, lists, await AppealsAsync(fromMonth, toMonth, cancellationToken), await LagAsync(cancellationToken));
    }

    private async Task<IReadOnlyList<AppealMonthReport>> AppealsAsync(string fromMonth, string toMonth, CancellationToken cancellationToken)
    {
        var received = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var decided = new SortedDictionary<string, List<(AppealStatus Outcome, double Hours)>>(StringComparer.Ordinal);
        await foreach (var row in rows.QueryAsync(names.Appeals, AppealCodec.Partition, null, null, cancellationToken))
        {
            var appeal = AppealCodec.FromRow(row);
            var month = MonthFigures.MonthOf(appeal.Received);
            received[month] = received.GetValueOrDefault(month) + 1;
            if (appeal.Decision is { } decision)
            {
                var decidedMonth = MonthFigures.MonthOf(decision.DecidedAt);
                if (!decided.TryGetValue(decidedMonth, out var list))
                {
                    decided[decidedMonth] = list = [];
                }

                list.Add((decision.Outcome, (decision.DecidedAt - appeal.Received).TotalHours));
            }
        }

        return received.Keys.Union(decided.Keys).Where(m => string.CompareOrdinal(m, fromMonth) >= 0 && string.CompareOrdinal(m, toMonth) <= 0).Order(StringComparer.Ordinal)
            .Select(month =>
            {
                var inMonth = decided.GetValueOrDefault(month) ?? [];
                var hours = inMonth.Select(d => d.Hours).Order().ToList();
                return new AppealMonthReport(month, received.GetValueOrDefault(month), inMonth.Count(d => d.Outcome == AppealStatus.Upheld),
                    inMonth.Count(d => d.Outcome == AppealStatus.Dismissed), hours.Count == 0 ? null : Math.Round(hours[(hours.Count - 1) / 2], 2));
            }).ToList();
    }

    private async Task<IspLagReport> LagAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var statuses = (await isps.ListAsync(cancellationToken)).Where(s => !s.Revoked).SelectMany(s => s.Lists).ToList();
        return new IspLagReport(
            now,
            Percentiles.Of(statuses.Where(l => l.Lag is not null).Select(l => (double)l.Lag!.Value).ToList()),
            Percentiles.Of(statuses.Where(l => l.LastPoll is not null).Select(l => Math.Round((now - l.LastPoll!.Value).TotalSeconds)).ToList()));
    }

    /// <summary>The report as CSV: <c>month,list,figure,breakdown,value</c>, one figure per line (list <c>*</c>: appeals and ISP lag).</summary>
    public static string ToCsv(TransparencyReportDocument report)
    {
        var csv = new System.Text.StringBuilder("month,list,figure,breakdown,value\r\n");
        void Line(string month, string list, string figure, string breakdown, object? value)
        {
            if (value is null)
            {
                return;
            }

            csv.Append(Field(month)).Append(',').Append(Field(list)).Append(',').Append(figure).Append(',').Append(Field(breakdown)).Append(',')
                .Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append("\r\n");
        }

        foreach (var item in report.Lists)
        {
            foreach (var (name, counts) in new[] { ("added", item.Figures.Added), ("removed", item.Figures.Removed), ("expired", item.Figures.Expired) })
            {
                Line(item.Month, item.List, name, "", counts.Total);
                foreach (var (key, value) in counts.ByCategory) { Line(item.Month, item.List, name, "category:" + key, value); }
                foreach (var (key, value) in counts.ByScope) { Line(item.Month, item.List, name, "scope:" + key, value); }
                foreach (var (key, value) in counts.ByHotline) { Line(item.Month, item.List, name, "hotline:" + key, value); }
            }

            Line(item.Month, item.List, "withdrawn", "", item.Figures.Withdrawn);
            Line(item.Month, item.List, "reverted", "", item.Figures.Reverted);
            Line(item.Month, item.List, "holds-approved", "", item.Figures.HoldsApproved);
            Line(item.Month, item.List, "holds-rejected", "", item.Figures.HoldsRejected);
            Line(item.Month, item.List, "median-listing-days", "", item.MedianListingDays);
        }

        foreach (var appeals in report.Appeals)
        {
            Line(appeals.Month, "*", "appeals-received", "", appeals.Received);
            Line(appeals.Month, "*", "appeals-upheld", "", appeals.Upheld);
            Line(appeals.Month, "*", "appeals-dismissed", "", appeals.Dismissed);
            Line(appeals.Month, "*", "median-hours-to-decision", "", appeals.MedianHoursToDecision);
        }

        var now = MonthFigures.MonthOf(report.IspLag.At);
        foreach (var (name, p) in new[] { ("isp-versions-behind", report.IspLag.VersionsBehind), ("isp-seconds-since-poll", report.IspLag.SecondsSinceLastPoll) })
        {
            Line(now, "*", name, "p50", p.P50);
            Line(now, "*", name, "p90", p.P90);
            Line(now, "*", name, "p99", p.P99);
            Line(now, "*", name, "max", p.Max);
        }

        return csv.ToString();
    }

    // RFC 4180, and a leading = + - @ is defused so a spreadsheet never runs a hotline-supplied value as a formula
    private static string Field(string value)
    {
        var safe = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' ? "'" + value : value;
        return safe.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }
}
