using System.Text;
using System.Text.Encodings.Web;

namespace BlocklistService.Functions.WebConsole;

/// <summary>
/// The console's server-rendered HTML: the sign-in page and the shell every page shares (who is signed in, the menu
/// for that role, sign-out). Every value is HTML-encoded; pages carry no inline script or style, their data is drawn by
/// the page's script from the API.
/// </summary>
public static class ConsoleHtml
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    public static string SignIn(string? error) => Document("Sign in", null, $"""
        <main id="main" class="narrow">
        <h1>Sign in to the blocklist console</h1>
        <p>Paste your API key. It is exchanged for a session that ends when you sign out or after a period without use;
        the key itself is not kept by the browser.</p>
        {(error is null ? string.Empty : $"<p class=\"error\" role=\"alert\" id=\"sign-in-error\">{Encoder.Encode(error)}</p>")}
        <form method="post" action="/console/session" class="stack">
        <label for="apiKey">API key</label>
        <input id="apiKey" name="apiKey" type="password" autocomplete="off" spellcheck="false" required
          {(error is null ? string.Empty : "aria-describedby=\"sign-in-error\" aria-invalid=\"true\"")}>
        <button type="submit">Sign in</button>
        </form>
        </main>
        """);

    /// <summary>A page of the console for a signed-in session.</summary>
    public static string Page(ConsolePage page, ConsoleSession session) =>
        Document(page.Title, session, $"""
            {Header(page, session)}
            <main id="main" data-role="{Encoder.Encode(session.Role)}" data-organisation="{Encoder.Encode(session.Organisation)}">
            <h1>{Encoder.Encode(page.Title)}</h1>
            <div id="app" aria-live="polite"><p class="muted">Loading…</p></div>
            </main>
            """, page.Script);

    /// <summary>A page the session's role may not open.</summary>
    public static string Forbidden(ConsolePage page, ConsoleSession session) =>
        Document("Not allowed", session, $"""
            {Header(page, session)}
            <main id="main">
            <h1>Not allowed</h1>
            <p role="alert">The role <strong>{Encoder.Encode(session.Role)}</strong> may not open “{Encoder.Encode(page.Title)}”.</p>
            <p><a href="/console">Back to the dashboard</a></p>
            </main>
            """);

    public static string NotFound() =>
        Document("Not found", null, """
            <main id="main" class="narrow"><h1>Not found</h1><p>There is no such console page. <a href="/console">Go to the console</a>.</p></main>
            """);

    private static string Header(ConsolePage current, ConsoleSession session)
    {
        var menu = new StringBuilder();
        foreach (var page in ConsolePages.All.Where(p => p.Allows(session.Role)))
        {
            var here = page == current ? " aria-current=\"page\"" : string.Empty;
            menu.Append($"<li><a href=\"{page.Path}\"{here}>{Encoder.Encode(page.Title)}</a></li>");
        }

        return $"""
            <header class="top">
            <a class="skip" href="#main">Skip to content</a>
            <span class="brand">Blocklist console</span>
            <nav aria-label="Console pages"><ul>{menu}</ul></nav>
            <div class="who" id="who">Signed in as <strong>{Encoder.Encode(session.Organisation)}</strong>,
            role <strong id="who-role">{Encoder.Encode(session.Role)}</strong>, key <code>{Encoder.Encode(session.KeyId)}</code>
            <form method="post" action="/console/sign-out" class="inline">
            <input type="hidden" name="csrf" value="{Encoder.Encode(session.CsrfToken)}">
            <button type="submit" class="secondary">Sign out</button>
            </form></div>
            </header>
            """;
    }

    private static string Document(string title, ConsoleSession? session, string body, string? script = null)
    {
        var csrf = session is null ? string.Empty : $"<meta name=\"csrf-token\" content=\"{Encoder.Encode(session.CsrfToken)}\">";
        var scriptTag = script is null ? string.Empty : $"<script type=\"module\" src=\"/console/assets/{Encoder.Encode(script)}\"></script>";
        return $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Encoder.Encode(title)} · Blocklist console</title>
            <link rel="stylesheet" href="/console/assets/console.css">
            {csrf}
            {scriptTag}
            </head>
            <body>
            {body}
            </body>
            </html>
            """;
    }
}
