using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Authentication;

namespace BlocklistService.Functions.WebConsole;

/// <summary>
/// Authenticates a request by its console session cookie as the API key the session was started with, so the console
/// reaches the API with exactly that key's role and lists. The key is re-checked on every request (through the key
/// store's short cache): revoking it ends its sessions too. A state-changing request must also carry the session's CSRF
/// token in <c>X-CSRF-Token</c>; without it the request is refused with 403 before any route runs.
/// </summary>
public sealed class ConsoleSessionAuthenticationHandler(
    ConsoleSessionStore sessions,
    ApiKeyStore keys,
    IProblemDetailsService problems,
    ILogger<ConsoleSessionAuthenticationHandler> logger) : IAuthenticationHandler
{
    public const string SchemeName = "ConsoleSession";

    /// <summary>The header a console page sends its CSRF token in.</summary>
    public const string CsrfHeader = "X-CSRF-Token";

    private HttpContext _context = null!;
    private bool _csrfRefused;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public async Task<AuthenticateResult> AuthenticateAsync()
    {
        var token = ConsoleCookie.Read(_context.Request);
        if (token is null)
        {
            return AuthenticateResult.NoResult();
        }

        var session = await sessions.FindAsync(token, _context.RequestAborted);
        if (session is null)
        {
            return AuthenticateResult.Fail("no such console session (signed out or expired)");
        }

        var record = await keys.FindForRequestAsync(session.KeyId, _context.RequestAborted);
        if (record is null || record.IsRevoked)
        {
            logger.LogInformation("Refused console session of key {KeyId}: the key is revoked or gone", session.KeyId);
            return AuthenticateResult.Fail("the session's API key is revoked");
        }

        if (!HttpMethods.IsGet(_context.Request.Method) && !HttpMethods.IsHead(_context.Request.Method)
            && !session.AcceptsCsrf(_context.Request.Headers[CsrfHeader].ToString()))
        {
            _csrfRefused = true;
            return AuthenticateResult.Fail("missing or wrong CSRF token");
        }

        _context.Features.Set(session);
        return new Caller(record).Result;
    }

    public Task ChallengeAsync(AuthenticationProperties? properties) => _csrfRefused
        ? WriteAsync(403, "csrf-token-required", "CSRF token required", $"a console request that changes state must send the session's CSRF token in '{CsrfHeader}'")
        : WriteAsync(401, "unauthorized", "Unauthorized", "the console session is over (signed out, idle too long or its key revoked): sign in again at /console");

    public Task ForbidAsync(AuthenticationProperties? properties) =>
        WriteAsync(403, "forbidden", "Forbidden", "this session's role may not use this route");

    private async Task WriteAsync(int status, string code, string title, string detail)
    {
        _context.Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = _context,
            ProblemDetails = { Status = status, Type = Endpoints.Problems.TypeOf(code), Title = title, Detail = detail },
        });
    }
}
