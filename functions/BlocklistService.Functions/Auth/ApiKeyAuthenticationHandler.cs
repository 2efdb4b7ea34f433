using System.Security.Claims;
using System.Text.Encodings.Web;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Auth;

/// <summary>
/// <c>Authorization: Bearer bls_…</c>: parses the key, finds its row (a point read, reused for up to
/// <see cref="AuthOptions.KeyCacheTtl"/>), compares the secret's SHA-256 in constant time and refuses revoked keys. A
/// revocation holds from the next request on the instance that revoked it, and within the cache TTL on the others.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || !ApiKey.TryParse(header[7..].Trim(), out var key))
        {
            return AuthenticateResult.Fail("malformed API key");
        }

        var record = await keys.FindForRequestAsync(key.KeyId, Context.RequestAborted);
        if (record is null || !key.Matches(record.SecretSha256))
        {
            Logger.LogInformation("Refused API key {KeyId}: unknown key or wrong secret", key.KeyId);
            return AuthenticateResult.Fail("unknown API key");
        }

        if (record.IsRevoked)
        {
            Logger.LogInformation("Refused API key {KeyId}: revoked", key.KeyId);
            return AuthenticateResult.Fail("revoked API key");
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, record.KeyId),
            new(ApiKeyClaims.KeyId, record.KeyId),
            new(ClaimTypes.Role, record.Role),
            new(ApiKeyClaims.Organisation, record.Organisation),
        };
        claims.AddRange(record.Lists.Select(list => new Claim(ApiKeyClaims.List, list)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.NameIdentifier, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = 401,
                Title = "Unauthorized",
                Detail = "send a valid, unrevoked API key as 'Authorization: Bearer <key>'",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = 403,
                Title = "Forbidden",
                Detail = "this API key's role may not use this route",
            },
        });
    }
}

/// <summary>Reads the API key claims off the current principal.</summary>
public static class CallerExtensions
{
    public static string Organisation(this ClaimsPrincipal user) => user.FindFirstValue(ApiKeyClaims.Organisation) ?? string.Empty;

    public static string? KeyId(this ClaimsPrincipal user) => user.FindFirstValue(ApiKeyClaims.KeyId);
}
