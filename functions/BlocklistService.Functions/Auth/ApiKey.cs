using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace BlocklistService.Functions.Auth;

/// <summary>
/// An API key as a caller presents it: <c>bls_{keyId}_{secret}</c>. The key id (16 hex characters) is the public
/// lookup part stored as the row key; the secret (32 random bytes, base64url) is never stored, only its SHA-256.
/// </summary>
public sealed record ApiKey(string KeyId, string Secret)
{
    private const string Prefix = "bls_";

    /// <summary>Characters in a key as presented: prefix, 16 hex, '_', 43 base64url.</summary>
    public const int Length = 4 + 16 + 1 + 43;

    /// <summary>The full key, shown once when issued.</summary>
    public string Value => $"{Prefix}{KeyId}_{Secret}";

    /// <summary>SHA-256 of the secret's UTF-8 bytes: what the store keeps.</summary>
    public byte[] SecretHash => HashSecret(Secret);

    /// <summary>A fresh key: 64 random bits of key id, 256 random bits of secret.</summary>
    public static ApiKey Generate() =>
        new(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), Base64Url(RandomNumberGenerator.GetBytes(32)));

    /// <summary>Parses <c>bls_{16 hex}_{43 base64url}</c>; false for anything else (no exception, no detail leaked).</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out ApiKey? key)
    {
        key = null;
        if (value is null || value.Length != Length || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var keyId = value.Substring(Prefix.Length, 16);
        if (value[Prefix.Length + 16] != '_' || !keyId.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return false;
        }

        var secret = value[(Prefix.Length + 17)..];
        if (!secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return false;
        }

        key = new ApiKey(keyId, secret);
        return true;
    }

    /// <summary>True when <paramref name="storedHash"/> is this key's secret hash; constant time in the hash bytes.</summary>
    public bool Matches(ReadOnlySpan<byte> storedHash) =>
        storedHash.Length == 32 && CryptographicOperations.FixedTimeEquals(SecretHash, storedHash);

    public static byte[] HashSecret(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"{Prefix}{KeyId}_***";

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
