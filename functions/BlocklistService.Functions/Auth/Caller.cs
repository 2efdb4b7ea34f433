using System.Security.Claims;
using System.Security.Cryptography;
using BlocklistService.Domain.Lists;
using BlocklistService.Functions.Stores;
using Microsoft.AspNetCore.Authentication;

namespace BlocklistService.Functions.Auth;

/// <summary>
/// An API key that authenticated: its stored record and the principal and result built from it once, shared by every
/// request that presents the same key while the record stays cached (read-only after construction).
/// </summary>
public sealed class Caller
{
    public Caller(ApiKeyRecord record)
    {
        Record = record;
        var claims = new List<Claim>(5 + record.Lists.Count)
        {
            new(ClaimTypes.NameIdentifier, record.KeyId),
            new(ApiKeyClaims.KeyId, record.KeyId),
            new(ClaimTypes.Role, record.Role),
            new(ApiKeyClaims.Organisation, record.Organisation),
            new(ApiKeyClaims.Feed, record.Feed.ToWireName()),
        };
        foreach (var list in record.Lists)
        {
            claims.Add(new Claim(ApiKeyClaims.List, list));
        }

        Principal = new CallerPrincipal(this, new ClaimsIdentity(claims, ApiKeyAuthenticationHandler.SchemeName, ClaimTypes.NameIdentifier, ClaimTypes.Role));
        Result = AuthenticateResult.Success(new AuthenticationTicket(Principal, ApiKeyAuthenticationHandler.SchemeName));
    }

    /// <summary>The stored record this was built from; valid while the key store still caches this very instance.</summary>
    public ApiKeyRecord Record { get; }

    public string KeyId => Record.KeyId;

    public CallerPrincipal Principal { get; }

    public AuthenticateResult Result { get; }

    /// <summary>
    /// True when this key may fetch <paramref name="feed"/>'s artifacts: a hashed key only the hashed feed; a plain key
    /// both (the hashed feed tells it less than it already may read).
    /// </summary>
    public bool MayFetch(ListFeed feed) => feed == ListFeed.Hashed || Record.Feed == ListFeed.Plain;

    /// <summary>True when this key may read <paramref name="list"/> (it names the list, or <c>*</c>).</summary>
    public bool MayRead(string list)
    {
        foreach (var allowed in Record.Lists)
        {
            if (string.Equals(allowed, list, StringComparison.Ordinal) || string.Equals(allowed, ApiKeyRecord.AllLists, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The principal of an authenticated API key, carrying its <see cref="Caller"/> so hot paths skip claim scans.</summary>
public sealed class CallerPrincipal(Caller caller, ClaimsIdentity identity) : ClaimsPrincipal(identity)
{
    public Caller Caller { get; } = caller;
}

/// <summary>SHA-256 of a whole presented key (id and secret): what the cache of authenticated callers is keyed by.</summary>
public readonly record struct KeyDigest(ulong A, ulong B, ulong C, ulong D)
{
    /// <summary>The digest of <paramref name="presented"/>'s UTF-8 bytes; false when it is not a key-shaped ASCII token.</summary>
    public static bool TryCompute(ReadOnlySpan<char> presented, out KeyDigest digest)
    {
        digest = default;
        if (presented.Length != ApiKey.Length)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[ApiKey.Length];
        for (var i = 0; i < presented.Length; i++)
        {
            if (presented[i] > 0x7f)
            {
                return false;
            }

            bytes[i] = (byte)presented[i];
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        digest = new KeyDigest(
            BitConverter.ToUInt64(hash[..8]), BitConverter.ToUInt64(hash[8..16]), BitConverter.ToUInt64(hash[16..24]), BitConverter.ToUInt64(hash[24..]));
        return true;
    }
}
