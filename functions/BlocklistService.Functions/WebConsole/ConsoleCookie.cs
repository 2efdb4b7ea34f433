namespace BlocklistService.Functions.WebConsole;

/// <summary>
/// The session cookie: HttpOnly, SameSite=Strict, path <c>/</c> (the console calls <c>/api</c> with it). Over HTTPS it
/// is Secure and carries the <c>__Host-</c> prefix, which browsers accept only from a secure origin with no Domain.
/// </summary>
public static class ConsoleCookie
{
    public const string SecureName = "__Host-bls-session";
    public const string PlainName = "bls-session";

    public static string? Read(HttpRequest request) =>
        request.Cookies[request.IsHttps ? SecureName : PlainName] is { Length: > 0 } value ? value : null;

    public static bool IsPresent(HttpRequest request) => Read(request) is not null;

    public static void Write(HttpResponse response, string token) =>
        response.Cookies.Append(NameFor(response.HttpContext.Request), token, Options(response.HttpContext.Request));

    public static void Clear(HttpResponse response) =>
        response.Cookies.Delete(NameFor(response.HttpContext.Request), Options(response.HttpContext.Request));

    private static string NameFor(HttpRequest request) => request.IsHttps ? SecureName : PlainName;

    private static CookieOptions Options(HttpRequest request) => new()
    {
        HttpOnly = true,
        Secure = request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        IsEssential = true,
    };
}
