using System.Globalization;
using BlocklistService.Functions.Redress;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace BlocklistService.Functions.Endpoints;

/// <summary>
/// The stop page: <c>GET/HEAD /stop</c> and <c>/stop/{jurisdiction}</c> on any host, and every path on a configured
/// stop host (<c>StopPage:Hosts</c>). No API key; the answer depends only on configuration and the request's headers.
/// </summary>
public static class StopPageEndpoints
{
    public static IServiceCollection AddStopPage(this IServiceCollection services)
    {
        services.AddOptions<StopPageOptions>().BindConfiguration(StopPageOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StopPageOptions>, StopPageOptionsValidation>();
        services.AddSingleton<StopPage>();
        return services;
    }

    /// <summary>Answers every request to a stop host with the page before routing, authentication or rate limits see it.</summary>
    public static WebApplication UseStopPageHosts(this WebApplication app)
    {
        var page = app.Services.GetRequiredService<StopPage>();
        app.Use(async (context, next) =>
        {
            var host = context.Request.Host.Host;
            if (page.JurisdictionOfHost(host) is not { } jurisdiction)
            {
                await next(context);
                return;
            }

            // A listener behind an RPZ CNAME/A receives the blocked host's name: that is what the user asked for.
            var shown = context.Request.Query["url"].FirstOrDefault() ?? (page.IsNamedStopHost(host) ? null : host);
            var status = context.Request.Path.StartsWithSegments("/stop") ? StatusCodes.Status200OK : StatusCodes.Status451UnavailableForLegalReasons;
            await WriteAsync(context, page, jurisdiction, shown, status, varyOnHost: true);
        });
        return app;
    }

    public static IEndpointRouteBuilder MapStopPage(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/stop", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, StopPage page) => ServeAsync(context, page, null))
            .WithName("GetStopPage").WithTags("Stop page").AllowAnonymous()
            .WithSummary("The stop page users of a blocked address are sent to (HTML; ?url= shows the address a proxy passed).");
        app.MapMethods("/stop/{jurisdiction}", [HttpMethods.Get, HttpMethods.Head], (string jurisdiction, HttpContext context, StopPage page, IOptions<StopPageOptions> options) =>
                options.Value.Jurisdictions.Count > 0 && !options.Value.Jurisdictions.ContainsKey(jurisdiction)
                    ? Task.FromResult<IResult>(Problems.Field(404, "unknown-jurisdiction", "Unknown jurisdiction", "jurisdiction", "no stop page text is configured for it"))
                    : ServeAsync(context, page, jurisdiction))
            .WithName("GetStopPageOfJurisdiction").WithTags("Stop page").AllowAnonymous()
            .WithSummary("The stop page in one jurisdiction's text.");
        return app;
    }

    private static async Task<IResult> ServeAsync(HttpContext context, StopPage page, string? jurisdiction)
    {
        await WriteAsync(context, page, jurisdiction, context.Request.Query["url"].FirstOrDefault(), StatusCodes.Status200OK, varyOnHost: false);
        return TypedResults.Empty;
    }

    private static async Task WriteAsync(HttpContext context, StopPage page, string? jurisdiction, string? shown, int status, bool varyOnHost)
    {
        var rendered = page.Render(jurisdiction, context.Request.GetTypedHeaders().AcceptLanguage, shown);
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = rendered.Html.Length;
        var headers = response.Headers;
        headers.ContentLanguage = rendered.Language;
        headers.CacheControl = string.Create(CultureInfo.InvariantCulture, $"public, max-age={page.CacheSeconds}");
        headers.Vary = varyOnHost ? "Accept-Language, Host" : "Accept-Language";
        headers.ContentSecurityPolicy = StopPage.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers[HeaderNames.XFrameOptions] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(rendered.Html, context.RequestAborted);
        }
    }
}
