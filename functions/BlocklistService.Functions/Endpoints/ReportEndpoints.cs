using System.Globalization;
using System.Text;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Redress;
using Microsoft.AspNetCore.Http.HttpResults;

namespace BlocklistService.Functions.Endpoints;

/// <summary><c>GET /api/v1/audit/report?from=&amp;to=&amp;format=json|csv</c> (auditor, admin): the monthly transparency figures.</summary>
public static class ReportEndpoints
{
    /// <summary>Most months one report covers.</summary>
    public const int MaxMonths = 120;

    public static IServiceCollection AddTransparencyReport(this IServiceCollection services)
    {
        services.AddSingleton<TransparencyReport>();
        return services;
    }

    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/audit/report", GetAsync).RequireAuthorization(policy => policy.RequireRole(Roles.Auditor, Roles.Admin))
            .WithTags("Audit").WithName("GetTransparencyReport")
            .WithSummary("Per month and list: added, removed, expired, reverted (by category, scope, hotline), holds, median listing days; appeals; ISP lag. JSON or CSV.");
        return routes;
    }

    public static async Task<Results<Ok<TransparencyReportDocument>, ContentHttpResult, ProblemHttpResult>> GetAsync(
        string? from, string? to, string? format, TransparencyReport report, CancellationToken cancellationToken)
    {
        if (!TryMonth(from, out var first))
        {
            return Problems.Field(400, "invalid-month", "Invalid month", "from", "required: a month (2026-01) or a date in it (2026-01-15)");
        }

        if (!TryMonth(to, out var last))
        {
            return Problems.Field(400, "invalid-month", "Invalid month", "to", "required: a month (2026-12) or a date in it; the range includes it");
        }

        if (last < first)
        {
            return Problems.Field(400, "invalid-month", "Invalid month", "to", "must not be before from");
        }

        if ((last.Year - first.Year) * 12 + last.Month - first.Month + 1 > MaxMonths)
        {
            return Problems.Field(400, "invalid-month", "Invalid month", "to", $"a report covers at most {MaxMonths} months");
        }

        if (format is not (null or "" or "json" or "csv"))
        {
            return Problems.Field(400, "invalid-format", "Invalid format", "format", "must be json or csv");
        }

        var document = await report.BuildAsync(Month(first), Month(last), cancellationToken);
        return format == "csv"
            ? TypedResults.Text(TransparencyReport.ToCsv(document), "text/csv; charset=utf-8", Encoding.UTF8)
            : TypedResults.Ok(document);
    }

    private static string Month(DateTime month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static bool TryMonth(string? value, out DateTime month)
    {
        month = default;
        if (string.IsNullOrEmpty(value) || value.Length > 40)
        {
            return false;
        }

        if (DateTime.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var exact))
        {
            month = new DateTime(exact.Year, exact.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            return true;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            month = new DateTime(date.UtcDateTime.Year, date.UtcDateTime.Month, 1, 0, 0, 0, DateTimeKind.Utc);
            return true;
        }

        return false;
    }
}
