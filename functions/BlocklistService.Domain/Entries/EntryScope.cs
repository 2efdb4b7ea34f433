namespace BlocklistService.Domain.Entries;

/// <summary>How much of the web a listed entry covers. Wire names are lowercase: exact, path, host.</summary>
public enum EntryScope
{
    /// <summary>That one URL (canonical host, path and query).</summary>
    Exact,

    /// <summary>Everything under a path prefix (canonical host and a path ending in '/').</summary>
    Path,

    /// <summary>The whole host and its subdomains; only for hosts dedicated to abuse.</summary>
    Host,
}

/// <summary>Wire names for <see cref="EntryScope"/>.</summary>
public static class EntryScopeNames
{
    public static string ToWireName(this EntryScope scope) => scope switch
    {
        EntryScope.Exact => "exact",
        EntryScope.Path => "path",
        EntryScope.Host => "host",
        _ => throw new ArgumentOutOfRangeException(nameof(scope)),
    };

    public static bool TryParse(string? value, out EntryScope scope)
    {
        switch (value)
        {
            case "exact": scope = EntryScope.Exact; return true;
            case "path": scope = EntryScope.Path; return true;
            case "host": scope = EntryScope.Host; return true;
            default: scope = default; return false;
        }
    }
}
