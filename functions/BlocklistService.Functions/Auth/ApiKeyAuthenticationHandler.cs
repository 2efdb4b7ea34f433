using System.Security.Claims;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Authentication;

namespace BlocklistService.Functions.Auth;

/// <summary>
/// <c>Authorization: Bearer bls_…</c>. A key seen before is found by the SHA-256 of the whole presented key in
/// <see cref="CallerCache"/>, valid only while its stored row is still cached; otherwise the key is parsed, its row found
/// (a point read, reused for up to <see cref="AuthOptions.KeyCacheTtl"/>), the secret's SHA-256 compared in constant time
/// and revoked keys refused. A revocation holds from the next request on the instance that revoked it, and within the
/// cache TTL on the others. While this instance's last storage call failed (<see cref="StorageOutageSignal"/>), a key it
/// verified before is accepted at once, as it was verified then. Registered transient and kept small: it is created for
/// every request.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    CallerCache callers,
    ApiKeyStore keys,
    StorageOutageSignal outage,
    IProblemDetailsService problems,
    ILogger<ApiKeyAuthenticationHandler> logger) : IAuthenticationHandler
{
    public const string SchemeName = "ApiKey";

    private const string BearerPrefix = "Bearer ";

    private HttpContext _context = null!;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync()
    {
        var header = _context.Request.Headers.Authorization;
        if (header.Count == 0 || string.IsNullOrEmpty(header[0]))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var value = header.Count == 1 ? header[0]! : header.ToString();
        if (!value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.Fail("malformed API key"));
        }

        var presented = value.AsSpan(BearerPrefix.Length).Trim();
        if (KeyDigest.TryCompute(presented, out var digest) && callers.TryGet(digest, out var caller))
        {
            return Task.FromResult(caller.Result);
        }

        return ApiKey.TryParse(presented.ToString(), out var key)
            ? VerifyAsync(key, digest)
            : Task.FromResult(AuthenticateResult.Fail("malformed API key"));
    }

    private async Task<AuthenticateResult> VerifyAsync(ApiKey key, KeyDigest digest)
    {
        if (outage.IsDown && callers.TryGetDuringOutage(digest, out var remembered))
        {
            // The lookup would wait out the retry policy and fail like the call before it. The request's own storage
            // calls fail at once too (a 503 well inside the budget); one lookup in the background sees storage return.
            RequestStorageScope.MarkUnavailable("storage down on this instance");
            outage.TryStartProbe(cancellationToken => keys.FindForRequestAsync(key.KeyId, cancellationToken));
            logger.LogDebug("Storage down: key {KeyId} accepted as this instance last verified it", key.KeyId);
            return remembered.Result;
        }

        ApiKeyRecord? record;
        try
        {
            record = await keys.FindForRequestAsync(key.KeyId, _context.RequestAborted);
        }
        catch (Exception e) when (StorageFailures.IsUnavailable(e, _context.RequestAborted) && callers.TryGetDuringOutage(digest, out var known))
        {
            logger.LogWarning("Storage unavailable ({Failure}): key {KeyId} accepted as this instance last verified it", e.GetType().Name, key.KeyId);
            return known.Result;
        }

        if (record is null || !key.Matches(record.SecretSha256))
        {
            callers.Remove(digest);
            logger.LogInformation("Refused API key {KeyId}: unknown key or wrong secret", key.KeyId);
            return AuthenticateResult.Fail("unknown API key");
        }

        if (record.IsRevoked)
        {
            callers.Remove(digest);
            logger.LogInformation("Refused API key {KeyId}: revoked", key.KeyId);
            return AuthenticateResult.Fail("revoked API key");
        }

        return callers.Add(digest, record).Result;
    }

    public async Task ChallengeAsync(AuthenticationProperties? properties)
    {
        _context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        _context.Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = _context,
            ProblemDetails =
            {
                Status = 401,
                Title = "Unauthorized",
                Detail = "send a valid, unrevoked API key as 'Authorization: Bearer <key>'",
            },
        });
    }

    public async Task ForbidAsync(AuthenticationProperties? properties)
    {
        _context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = _context,
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
    public static string Organisation(this ClaimsPrincipal user) =>
        user is CallerPrincipal principal ? principal.Caller.Record.Organisation : user.FindFirstValue(ApiKeyClaims.Organisation) ?? string.Empty;

    public static string? KeyId(this ClaimsPrincipal user) =>
        user is CallerPrincipal principal ? principal.Caller.KeyId : user.FindFirstValue(ApiKeyClaims.KeyId);
}
