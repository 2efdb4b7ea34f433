using System.Globalization;
using System.Text;
using BlocklistService.Domain.Transparency;

namespace BlocklistService.Functions.Audit;

/// <summary>Formats of <c>GET /api/v1/audit/export</c>.</summary>
public enum AuditExportFormat
{
    /// <summary>RFC 4180 CSV with a header row.</summary>
    Csv,

    /// <summary>JSON Lines: one object per leaf, <c>{"index", "leafHash", "leaf"}</c> with the leaf as its canonical JSON object.</summary>
    JsonLines,
}

/// <summary>Writes log leaves as CSV or JSON Lines, one leaf at a time (the export is streamed).</summary>
public static class AuditExport
{
    public static readonly string[] CsvColumns =
    [
        "index", "leafHash", "publishedAt", "list", "version", "kind", "entryId", "expression", "scope", "category",
        "hotline", "reference", "verifiedAt", "verifiedBy", "reviewBy", "submission", "reason", "actorKeyId", "actorOrganisation",
    ];

    public static string ContentType(AuditExportFormat format) =>
        format == AuditExportFormat.Csv ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8";

    public static bool TryParseFormat(string? value, out AuditExportFormat format)
    {
        switch (value)
        {
            case null or "" or "jsonl": format = AuditExportFormat.JsonLines; return true;
            case "csv": format = AuditExportFormat.Csv; return true;
            default: format = default; return false;
        }
    }

    public static string Header(AuditExportFormat format) =>
        format == AuditExportFormat.Csv ? string.Join(',', CsvColumns) + "\r\n" : string.Empty;

    /// <summary>
    /// One leaf's line (with its line ending). In CSV a decision leaf fills <c>publishedAt</c> with its time, <c>kind</c>
    /// with the decision kind, <c>entryId</c> with the entry ids it names (space separated), <c>submission</c>,
    /// <c>reason</c> and the actor columns; the full leaf is in the JSON Lines form.
    /// </summary>
    public static string Line(AuditExportFormat format, StoredLeaf stored, TransparencyLeaf parsed)
    {
        var hash = Convert.ToHexStringLower(stored.LeafHash());
        if (format == AuditExportFormat.JsonLines)
        {
            return $"{{\"index\":{stored.Index.ToString(CultureInfo.InvariantCulture)},\"leafHash\":\"{hash}\",\"leaf\":{stored.Text}}}\n";
        }

        string?[] fields = parsed.Decision is { } decision
            ?
            [
                stored.Index.ToString(CultureInfo.InvariantCulture), hash, Time(decision.DecidedAt), decision.Subject.List?.Value,
                decision.Subject.Version?.ToString(CultureInfo.InvariantCulture), decision.Kind.ToWireName(),
                string.Join(' ', decision.Subject.Entries.Select(e => e.Hex).Order(StringComparer.Ordinal)), null, null, null, null, null, null, null, null,
                decision.Subject.Submission, decision.Reason, decision.Actor.KeyId, decision.Actor.Organisation,
            ]
            : Fields(stored, hash, parsed.Change!);
        var line = new StringBuilder();
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            line.Append(Quote(fields[i] ?? string.Empty));
        }

        return line.Append("\r\n").ToString();
    }

    private static string?[] Fields(StoredLeaf stored, string hash, LogLeaf leaf) =>
        [
            stored.Index.ToString(CultureInfo.InvariantCulture), hash, Time(leaf.PublishedAt), leaf.List.Value,
            leaf.Version.ToString(CultureInfo.InvariantCulture), leaf.Kind.ToWireName(), leaf.EntryId.Hex, leaf.Expression,
            Domain.Entries.EntryScopeNames.ToWireName(leaf.Scope), leaf.Category, leaf.Hotline, leaf.Reference, Time(leaf.VerifiedAt),
            string.Join(' ', leaf.VerifiedBy.Order(StringComparer.Ordinal)), Time(leaf.ReviewBy), leaf.Submission, leaf.Reason, null, null,
        ];

    /// <summary>
    /// Quotes a CSV field when it holds a comma, quote or line break. A field that a spreadsheet could take for a
    /// formula (leading =, +, -, @, TAB, CR or LF) is prefixed with ' so it is shown, not run; a NUL, which many CSV
    /// readers stop at, is written as U+FFFD (the JSON Lines export keeps every byte).
    /// </summary>
    public static string Quote(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            value = value.Replace('\0', '\uFFFD');
        }

        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static string? Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
