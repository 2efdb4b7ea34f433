using BlocklistService.Functions.Auth;

namespace BlocklistService.Functions.WebConsole;

/// <summary>A console page: its path under <c>/console</c>, title, the roles that may open it and its script.</summary>
public sealed record ConsolePage(string Slug, string Title, IReadOnlyList<string> Roles, string Script)
{
    public string Path => Slug.Length == 0 ? "/console" : $"/console/{Slug}";

    public bool Allows(string role) => Roles.Contains(role, StringComparer.Ordinal);
}

/// <summary>
/// Every console page. A page's roles match the API routes its script calls, so the menu never offers a page whose
/// data the API would refuse; the API's own authorization still decides every call.
/// </summary>
public static class ConsolePages
{
    private static readonly string[] Everyone = [Roles.Admin, Roles.Hotline, Roles.Auditor];

    public static IReadOnlyList<ConsolePage> All { get; } =
    [
        new("", "Dashboard", Everyone, "dashboard.js"),
        new("reviews", "Review queue", [Roles.Admin], "reviews.js"),
        new("holds", "Held versions", [Roles.Admin], "holds.js"),
        new("keys", "API keys", [Roles.Admin], "keys.js"),
        new("isps", "ISPs", [Roles.Admin], "isps.js"),
        new("revert", "Emergency revert", [Roles.Admin], "revert.js"),
        new("submissions", "Submissions", [Roles.Hotline], "submissions.js"),
        new("appeals", "Appeals", [Roles.Hotline, Roles.Admin], "appeals.js"),
        new("entries", "Entry history", [Roles.Auditor], "entries.js"),
        new("charts", "List charts", [Roles.Auditor], "charts.js"),
    ];

    public static ConsolePage? Find(string slug) => All.FirstOrDefault(page => string.Equals(page.Slug, slug, StringComparison.Ordinal));
}
