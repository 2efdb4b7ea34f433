using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Stores;
using BlocklistService.Functions.Tests.Support;
using BlocklistService.Testing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace BlocklistService.Functions.Tests.WebConsole;

/// <summary>
/// Debian's chromium (<c>/usr/bin/chromium</c>, installed by .ci/run) driven by Playwright; no browser is downloaded.
/// Playwright starts it with a fresh temporary <c>--user-data-dir</c>, and every test signs in within its own context.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string Executable = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>The real server on Kestrel at 127.0.0.1 (a browser needs a socket), over Azurite, with a PEM signing key.</summary>
public sealed class ConsoleServer : IAsyncDisposable
{
    private ConsoleServer(ApiFactory api, Uri address) => (Api, Address) = (api, address);

    public ApiFactory Api { get; }

    public Uri Address { get; }

    /// <summary>The signing key's id, as an auditor would have pinned it out of band.</summary>
    public string SigningKeyId => Api.Services.GetRequiredService<Domain.Signing.IArtifactSigner>().KeyId;

    public static Task<ConsoleServer> StartAsync(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var api = PublishApi.Create(connectionString, settings);
        api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        api.StartServer();
        var address = api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return Task.FromResult(new ConsoleServer(api, new Uri(address)));
    }

    /// <summary>Issues a key through the real store.</summary>
    public async Task<ApiKey> IssueAsync(string role, string organisation, params string[] lists) =>
        (await Api.Services.GetRequiredService<ApiKeyStore>().IssueAsync(role, organisation, lists, CancellationToken.None)).Key;

    /// <summary>A plain API client (Bearer key) against the same socket the browser uses.</summary>
    public HttpClient Client(string key) => new() { BaseAddress = Address, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) } };

    /// <summary>Opens a fresh browser context, signs in through the form with a new key of <paramref name="role"/>.</summary>
    public async Task<IPage> SignInAsync(IBrowser browser, string role, string organisation)
    {
        var key = await IssueAsync(role, organisation, role == Roles.Isp ? ["*"] : []);
        return await SignInWithAsync(browser, key.Value);
    }

    public async Task<IPage> SignInWithAsync(IBrowser browser, string key)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = Address.ToString(), ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/console/sign-in");
        await page.FillAsync("#apiKey", key);
        try
        {
            await ClickAndArriveAsync(page, "button[type=submit]", "/console");
        }
        catch (TimeoutException e)
        {
            // say where the browser was left and what the page said (a refused sign-in, a 503), not only that it timed out
            var text = await page.InnerTextAsync("body", new PageInnerTextOptions { Timeout = 5_000 });
            throw new TimeoutException($"sign-in did not reach /console: the browser is at {page.Url}, showing: {text[..Math.Min(text.Length, 500)]}", e);
        }

        return page;
    }

    /// <summary>
    /// Clicks <paramref name="selector"/> and waits until the page it leads to, whose URL ends in
    /// <paramref name="urlEnd"/>, has loaded. The wait for the URL starts before the click and ends at the commit; the
    /// load is awaited apart, which returns at once when it has already fired. Waiting for URL and load together after
    /// the click once missed the load: the browser on /console with the dashboard shown, the wait timing out.
    /// </summary>
    public static async Task ClickAndArriveAsync(IPage page, string selector, string urlEnd)
    {
        var arrived = page.WaitForURLAsync(url => url.EndsWith(urlEnd, StringComparison.Ordinal), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.ClickAsync(selector);
        await arrived;
        await page.WaitForLoadStateAsync(LoadState.Load);
    }

    /// <summary>Submits items as a hotline key and returns the submission id.</summary>
    public async Task<string> SubmitAsync(string hotlineKey, string body)
    {
        var response = await Client(hotlineKey).SendAsync(Payloads.Post(body, Guid.NewGuid().ToString("N")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("submissionId").GetString()!;
    }

    /// <summary>Runs one publish cycle as an admin key.</summary>
    public async Task<JsonElement> PublishAsync(string adminKey) =>
        await (await Client(adminKey).PostAsync("/api/v1/admin/publish", Payloads.Reason("publish in test"))).JsonAsync();

    public async ValueTask DisposeAsync() => await Api.DisposeAsync();
}

/// <summary>What every console page test checks and keeps: axe-core's verdict and a screenshot under artifacts/console.</summary>
public static class ConsolePageChecks
{
    private static readonly Lazy<string> AxeSource = new(() => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "node_modules", "axe-core", "axe.min.js")));

    public static string ArtifactsDirectory => Path.Combine(RepositoryPaths.Root, "artifacts", "console");

    /// <summary>Runs axe-core (the pinned npm package) in the page; any serious or critical violation fails the test.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        await page.EvaluateAsync(AxeSource.Value);
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)
            """);
        var found = violations.EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.True(found.Count == 0, $"axe-core on {page.Url}:\n{string.Join('\n', found)}");
    }

    /// <summary>A full-page PNG kept as a test artifact.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ArtifactsDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory, $"{name}.png"), FullPage = true });
    }

    /// <summary>Both checks at once, for a page that has finished drawing.</summary>
    public static async Task CheckAsync(IPage page, string name)
    {
        await ScreenshotAsync(page, name);
        await AssertAccessibleAsync(page);
    }
}
