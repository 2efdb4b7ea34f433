namespace BlocklistService.Functions.WebConsole;

/// <summary>
/// Headers on every <c>/console</c> answer: a strict Content-Security-Policy (scripts and styles only from this
/// origin, no inline code, no framing), clickjacking protection for older browsers, no MIME sniffing, no referrer and
/// no caching of pages that show signed-in data.
/// </summary>
public static class ConsoleSecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IApplicationBuilder UseConsoleSecurityHeaders(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ConsoleEndpoints.Root), branch => branch.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            if (!context.Request.Path.StartsWithSegments(ConsoleEndpoints.AssetsRoot))
            {
                headers.CacheControl = "no-store";
            }

            return next(context);
        }));
}
