using System.Net;
using System.Text.RegularExpressions;
using BlocklistService.Functions.Tests.Support;
using Microsoft.AspNetCore.Mvc.Testing;

namespace BlocklistService.Functions.Tests.WebConsole;

/// <summary>A signed-in console session as a browser holds it: the cookie header to send and the page's CSRF token.</summary>
public sealed record ConsoleSignIn(HttpResponseMessage Response, string? Cookie, string? CsrfToken);

/// <summary>Drives the console's sign-in over HTTP without a browser, keeping cookies by hand so tests can read their flags.</summary>
public static partial class ConsoleSessions
{
    public static HttpClient Client(this ApiFactory api, bool https = false) => api.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = false,
        BaseAddress = new Uri(https ? "https://localhost" : "http://localhost"),
    });

    /// <summary>Posts the sign-in form as the console's own page does; on success reads the CSRF token off the dashboard.</summary>
    public static async Task<ConsoleSignIn> SignInAsync(this HttpClient client, string apiKey, string? secFetchSite = "same-origin")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/console/session")
        {
            Content = new FormUrlEncodedContent([new("apiKey", apiKey)]),
        };
        if (secFetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", secFetchSite);
        }

        var response = await client.SendAsync(request);
        var setCookie = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.Single() : null;
        if (response.StatusCode != HttpStatusCode.SeeOther || setCookie is null)
        {
            return new ConsoleSignIn(response, null, null);
        }

        var cookie = setCookie.Split(';')[0];
        var page = await client.GetConsoleAsync("/console", cookie);
        return new ConsoleSignIn(response, cookie, CsrfMeta().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value);
    }

    public static Task<HttpResponseMessage> GetConsoleAsync(this HttpClient client, string path, string? cookie) =>
        client.SendAsync(With(new HttpRequestMessage(HttpMethod.Get, path), cookie, null));

    /// <summary>A request with the session cookie and, when given, the CSRF header.</summary>
    public static HttpRequestMessage With(HttpRequestMessage request, string? cookie, string? csrf)
    {
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf);
        }

        return request;
    }

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\">")]
    private static partial Regex CsrfMeta();
}
