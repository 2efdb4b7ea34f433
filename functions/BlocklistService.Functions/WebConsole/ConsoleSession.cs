using System.Security.Cryptography;
using System.Text;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.WebConsole;

/// <summary>
/// A signed-in console session: which API key it acts as, its CSRF token and its clock. The browser holds only the
/// session token (an HttpOnly cookie); the API key itself is never stored, here or in the browser.
/// </summary>
public sealed record ConsoleSession(
    string TokenHash,
    string KeyId,
    string Role,
    string Organisation,
    string CsrfToken,
    DateTimeOffset Created,
    DateTimeOffset LastSeen)
{
    /// <summary>True when the session is over at <paramref name="now"/> (idle too long or past its lifetime).</summary>
    public bool IsExpired(DateTimeOffset now, ConsoleOptions options) =>
        now - LastSeen >= options.IdleTimeout || now - Created >= options.MaxLifetime;

    /// <summary>True when <paramref name="presented"/> is this session's CSRF token (constant-time).</summary>
    public bool AcceptsCsrf(string? presented) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(CsrfToken));
}

/// <summary>
/// The <c>consolesessions</c> table: PK <c>session</c>, RK = hex SHA-256 of the session token, so the table alone
/// never yields a usable cookie. Every reader and writer of the table goes through these keys and ToRow/FromRow.
/// </summary>
public static class ConsoleSessionLayout
{
    public const string Partition = "session";

    /// <summary>A fresh unguessable token (256 bits, base64url): the session cookie's value, or a CSRF token.</summary>
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The row key of the session a cookie names.</summary>
    public static string RowKeyOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static Row ToRow(ConsoleSession session) => new(Partition, session.TokenHash, new Dictionary<string, object?>
    {
        ["KeyId"] = session.KeyId,
        ["Role"] = session.Role,
        ["Organisation"] = session.Organisation,
        ["CsrfToken"] = session.CsrfToken,
        ["Created"] = session.Created,
        ["LastSeen"] = session.LastSeen,
    });

    public static ConsoleSession FromRow(Row row) => new(
        row.RowKey,
        row.GetString("KeyId") ?? string.Empty,
        row.GetString("Role") ?? string.Empty,
        row.GetString("Organisation") ?? string.Empty,
        row.GetString("CsrfToken") ?? string.Empty,
        row.GetDateTimeOffset("Created") ?? DateTimeOffset.MinValue,
        row.GetDateTimeOffset("LastSeen") ?? DateTimeOffset.MinValue);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
