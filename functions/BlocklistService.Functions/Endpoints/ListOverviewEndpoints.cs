using System.Globalization;
using BlocklistService.Domain.Lists;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Publishing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// Aggregates about lists for dashboards and charts: the admin's overview of every list, and an auditor's per-version
/// sizes and change counts. Both read heads and version rows only, never entries or log leaves.
/// </summary>
public static class ListOverviewEndpoints
{
    /// <summary>Most versions one answer of <c>/audit/lists/{list}/versions</c> covers.</summary>
    public const int MaxVersionsPerPage = 1000;

    /// <summary>How many of the latest versions are returned when no range is given.</summary>
    public const int DefaultVersions = 200;

    public sealed record ListsOverviewResponse(IReadOnlyList<ListSummary> Lists);

    public sealed record VersionsResponse(string List, long CurrentVersion, long From, long To, IReadOnlyList<VersionSummary> Versions);

    public static IEndpointRouteBuilder MapListOverviewEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/admin/lists", ListsAsync).RequireAuthorization(Roles.Admin).WithTags("Admin")
            .WithName("ListLists").WithSummary("Every list: current version, entry count, last publish and the next publish run");
        routes.MapGet("/api/v1/audit/lists/{list}/versions", VersionsAsync).RequireAuthorization(Roles.Auditor).WithTags("Audit")
            .WithName("GetListVersions").WithSummary("Per version of a list: when, entry count, entries added and removed (at most 1000 versions)");
        return routes;
    }

    private static async Task<Ok<ListsOverviewResponse>> ListsAsync(ListOverview overview, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ListsOverviewResponse(await overview.ListsAsync(cancellationToken)));

    private static async Task<Results<Ok<VersionsResponse>, ProblemHttpResult>> VersionsAsync(
        string list, string? from, string? to, ListReader reader, ListOverview overview, CancellationToken cancellationToken)
    {
        if (!ListName.TryParse(list, out var name))
        {
            return Problems.Field(400, "invalid-list", "Invalid list name", "list", "must match [a-z0-9-]{1,32}");
        }

        var head = await reader.HeadAsync(name.Value, cancellationToken);
        if (head is null)
        {
            return Problems.Field(404, "unknown-list", "Unknown list", "list", $"there is no list '{name.Value}'");
        }

        var last = head.Version;
        if (to is not null && (!long.TryParse(to, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < 1))
        {
            return Problems.Field(400, "invalid-number", "Invalid number", "to", "must be a version number (1 or more)");
        }

        last = Math.Min(last, head.Version);
        var first = Math.Max(1, last - DefaultVersions + 1);
        if (from is not null && (!long.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out first) || first < 1))
        {
            return Problems.Field(400, "invalid-number", "Invalid number", "from", "must be a version number (1 or more)");
        }

        if (last - first + 1 > MaxVersionsPerPage)
        {
            return Problems.Field(400, "range-too-large", "Range too large", "from", $"at most {MaxVersionsPerPage} versions per request");
        }

        var versions = first > last ? [] : await overview.VersionsAsync(name.Value, first, last, cancellationToken);
        return TypedResults.Ok(new VersionsResponse(name.Value, head.Version, first, last, versions));
    }
}
