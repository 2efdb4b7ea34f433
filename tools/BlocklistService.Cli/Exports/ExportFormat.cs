namespace BlocklistService.Cli.Exports;

/// <summary>The filter formats <c>blocklist export</c> and <c>blocklist sync --export</c> write.</summary>
public enum ExportFormat
{
    /// <summary>A DNS Response Policy Zone for BIND 9, Unbound, Knot Resolver, PowerDNS Recursor.</summary>
    Rpz,

    /// <summary>Two Squid ACL files: a dstdomain list for host entries and a url_regex list for URL entries.</summary>
    Squid,

    /// <summary>A hosts file: <c>0.0.0.0 host</c> for host entries.</summary>
    Hosts,

    /// <summary>One expression per line.</summary>
    Plain,

    /// <summary>The list as JSON: list, version and every entry.</summary>
    Json,
}

/// <summary>Command-line names of <see cref="ExportFormat"/>.</summary>
public static class ExportFormatNames
{
    public static readonly string[] All = ["rpz", "squid", "hosts", "plain", "json"];

    public static string ToName(this ExportFormat format) => format.ToString().ToLowerInvariant();

    public static bool TryParse(string? value, out ExportFormat format)
    {
        var index = Array.IndexOf(All, value);
        format = index < 0 ? default : (ExportFormat)index;
        return index >= 0;
    }
}
