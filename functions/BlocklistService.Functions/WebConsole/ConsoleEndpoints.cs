using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Net.Http.Headers;

namespace BlocklistService.Functions.WebConsole;

/// <summary>
/// The web console under <c>/console</c>: sign-in (an API key exchanged for a session cookie), sign-out, the pages and
/// their scripts. Pages only render the shell; every datum is fetched by the page's script from the API with the
/// session, so the console can do exactly what the session's API key may do and nothing more.
/// </summary>
public static class ConsoleEndpoints
{
    public const string Root = "/console";
    public const string AssetsRoot = "/console/assets";

    /// <summary>The default authentication scheme: the API key when a request has an Authorization header, else the session cookie.</summary>
    public const string KeyOrSessionScheme = "ApiKeyOrConsoleSession";

    public static IServiceCollection AddWebConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ConsoleSessionStore>();
        services.AddSingleton<ConsoleAssets>();
        services.AddTransient<ConsoleSessionAuthenticationHandler>();
        services.AddAuthentication().AddPolicyScheme(KeyOrSessionScheme, null, policy => policy.ForwardDefaultSelector = SelectScheme);
        services.Configure<AuthenticationOptions>(auth =>
        {
            auth.AddScheme<ConsoleSessionAuthenticationHandler>(ConsoleSessionAuthenticationHandler.SchemeName, null);
            auth.DefaultScheme = KeyOrSessionScheme;
        });
        return services;
    }

    /// <summary>
    /// An Authorization header always wins (API clients); the cookie is looked at only without one, and never for the
    /// console's static files (they need no identity, so they cost no session read).
    /// </summary>
    private static string SelectScheme(HttpContext context) =>
        context.Request.Headers.Authorization.Count == 0
        && !context.Request.Path.StartsWithSegments(AssetsRoot)
        && ConsoleCookie.IsPresent(context.Request)
            ? ConsoleSessionAuthenticationHandler.SchemeName
            : ApiKeyAuthenticationHandler.SchemeName;

    public static WebApplication MapWebConsole(this WebApplication app)
    {
        app.UseConsoleSecurityHeaders();
        var console = app.MapGroup(Root).AllowAnonymous().ExcludeFromDescription().WithTags("Console");
        console.MapGet("/sign-in", () => Html(ConsoleHtml.SignIn(null))).WithName("ConsoleSignIn");
        console.MapPost("/session", StartSessionAsync).WithName("ConsoleStartSession").DisableAntiforgery();
        console.MapPost("/sign-out", SignOutAsync).WithName("ConsoleSignOut").DisableAntiforgery();
        console.MapGet("/assets/{name}", Asset).WithName("ConsoleAsset");
        console.MapGet("/", (HttpContext context) => Page(string.Empty, context)).WithName("ConsoleDashboard");
        console.MapGet("/{page}", (string page, HttpContext context) => Page(page, context)).WithName("ConsolePage");
        return app;
    }

    /// <summary>
    /// Exchanges an API key (form field <c>apiKey</c>) for a session: checked exactly as the API checks it (hash compared
    /// in constant time, revoked keys refused). ISP keys have no console. Only same-origin posts are accepted, so another
    /// site cannot sign a browser in under its own key.
    /// </summary>
    private static async Task<IResult> StartSessionAsync(
        HttpContext context, ApiKeyStore keys, ConsoleSessionStore sessions, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!IsSameOrigin(context.Request))
        {
            return Html(ConsoleHtml.SignIn("This sign-in did not come from the console's own page."), StatusCodes.Status403Forbidden);
        }

        if (!context.Request.HasFormContentType)
        {
            return Endpoints.Problems.Field(415, "unsupported-media-type", "Unsupported media type", "Content-Type",
                "must be application/x-www-form-urlencoded with the field 'apiKey'");
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        var presented = form["apiKey"].ToString().Trim();
        if (presented.Length == 0)
        {
            return Html(ConsoleHtml.SignIn("apiKey: enter your API key."), StatusCodes.Status400BadRequest);
        }

        var logger = loggers.CreateLogger(typeof(ConsoleEndpoints));
        ApiKeyRecord? record = null;
        if (ApiKey.TryParse(presented, out var key))
        {
            record = await keys.FindAsync(key.KeyId, cancellationToken);
            if (record is not null && (!key.Matches(record.SecretSha256) || record.IsRevoked))
            {
                record = null;
            }
        }

        if (record is null)
        {
            logger.LogInformation("Console sign-in refused: unknown, wrong or revoked API key");
            return Html(ConsoleHtml.SignIn("apiKey: that API key is not valid (unknown, mistyped or revoked)."), StatusCodes.Status401Unauthorized);
        }

        if (record.Role == Roles.Isp)
        {
            return Html(ConsoleHtml.SignIn("apiKey: ISP keys have no console; ISPs use 'blocklist sync'."), StatusCodes.Status403Forbidden);
        }

        var (token, _) = await sessions.StartAsync(record, cancellationToken);
        ConsoleCookie.Write(context.Response, token);
        logger.LogInformation("Console session started for key {KeyId} ({Role}, {Organisation})", record.KeyId, record.Role, record.Organisation);
        return SeeOther(Root);
    }

    /// <summary>Ends the session named by the cookie; the form must carry the session's CSRF token.</summary>
    private static async Task<IResult> SignOutAsync(HttpContext context, ConsoleSessionStore sessions, CancellationToken cancellationToken)
    {
        var token = ConsoleCookie.Read(context.Request);
        if (token is not null)
        {
            var session = await sessions.FindAsync(token, cancellationToken);
            if (session is not null)
            {
                var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(cancellationToken) : null;
                if (!session.AcceptsCsrf(form?["csrf"].ToString()))
                {
                    return Endpoints.Problems.Field(403, "csrf-token-required", "CSRF token required", "csrf",
                        "signing out needs the session's CSRF token (the console's sign-out button sends it)");
                }

                await sessions.EndAsync(token, cancellationToken);
            }

            ConsoleCookie.Clear(context.Response);
        }

        return SeeOther($"{Root}/sign-in");
    }

    private static IResult Page(string slug, HttpContext context)
    {
        var page = ConsolePages.Find(slug);
        if (page is null)
        {
            return Html(ConsoleHtml.NotFound(), StatusCodes.Status404NotFound);
        }

        var session = context.Features.Get<ConsoleSession>();
        if (session is null || context.User.Identity?.IsAuthenticated != true)
        {
            return SeeOther($"{Root}/sign-in");
        }

        return page.Allows(session.Role)
            ? Html(ConsoleHtml.Page(page, session))
            : Html(ConsoleHtml.Forbidden(page, session), StatusCodes.Status403Forbidden);
    }

    private static IResult Asset(string name, HttpContext context, ConsoleAssets assets)
    {
        if (assets.Find(name) is not { } asset)
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    /// <summary>
    /// True unless the browser says the request came from another site: <c>Sec-Fetch-Site</c> when sent, otherwise
    /// <c>Origin</c> compared with this request's own origin. A request with neither (a non-browser client) passes.
    /// </summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none";
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    private static IResult Html(string html, int status = StatusCodes.Status200OK) =>
        Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    private static IResult SeeOther(string location) => new SeeOtherResult(location);

    /// <summary>303: after a form post the browser follows with a GET.</summary>
    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers[HeaderNames.Location] = location;
            return Task.CompletedTask;
        }
    }
}
