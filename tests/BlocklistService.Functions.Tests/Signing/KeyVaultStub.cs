using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using BlocklistService.Functions.Signing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace BlocklistService.Functions.Tests.Signing;

/// <summary>
/// A real HTTPS server on 127.0.0.1 that speaks the two Key Vault REST operations the signer uses
/// (<c>GET keys/{name}[/{version}]</c> and <c>POST keys/{name}/{version}/sign</c>) with a real P-256 key.
/// Failures are queued per operation; every request is recorded.
/// </summary>
internal sealed class KeyVaultStub : IAsyncDisposable
{
    public const string Token = "stub-access-token";
    public const string KeyName = "artifact-signing";
    public const string Version = "4f1d0c6a9b8e47c2a1d3e5f708192a3b";

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;

    private readonly ConcurrentDictionary<string, ECDsa> _versions = new(StringComparer.Ordinal);
    private volatile string _latest = Version;

    private KeyVaultStub(WebApplication app, X509Certificate2 certificate, ECDsa key)
    {
        _app = app;
        _certificate = certificate;
        Key = key;
        _versions[Version] = key;
    }

    /// <summary>The vault's private key of <see cref="Version"/> (the test's ground truth).</summary>
    public ECDsa Key { get; }

    /// <summary>The private key of one version.</summary>
    public ECDsa KeyOf(string version) => _versions[version];

    /// <summary>
    /// Creates a new version of the key (as <c>az keyvault key rotate</c> does): a fresh P-256 key that becomes what
    /// an unversioned <c>GET keys/{name}</c> returns. Returns the new version's id.
    /// </summary>
    public string AddVersion()
    {
        var version = Guid.NewGuid().ToString("N");
        _versions[version] = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _latest = version;
        return version;
    }

    /// <summary>When set, sign answers with a signature from this key instead of <see cref="Key"/>.</summary>
    public ECDsa? WrongKey { get; set; }

    public Uri VaultUri { get; private set; } = null!;

    public ConcurrentQueue<int> SignFailures { get; } = new();

    public ConcurrentQueue<int> GetKeyFailures { get; } = new();

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<KeyVaultStub> StartAsync()
    {
        var certificate = CreateCertificate();
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var stub = new KeyVaultStub(app, certificate, key);
        app.MapGet("/keys/{name}", (HttpContext context, string name) => stub.GetKeyAsync(context, name, null));
        app.MapGet("/keys/{name}/{version}", (HttpContext context, string name, string version) => stub.GetKeyAsync(context, name, version));
        app.MapPost("/keys/{name}/{version}/sign", (HttpContext context, string name, string version) => stub.SignAsync(context, name, version));
        await app.StartAsync();
        var address = app.Urls.Single();
        stub.VaultUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return stub;
    }

    /// <summary>Client options that trust only this stub's certificate and retry fast.</summary>
    public KeyVaultSigningClientOptions ClientOptions(int maxRetries = 2)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.Thumbprint == _certificate.Thumbprint,
        };
        var options = new KeyVaultSigningClientOptions { Transport = new HttpClientTransport(handler) };
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(5);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(20);
        return options;
    }

    public KeyVaultSigningOptions SigningOptions(string? version = null) =>
        new() { VaultUri = VaultUri, KeyName = KeyName, KeyVersion = version };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
        foreach (var key in _versions.Values)
        {
            key.Dispose();
        }
    }

    private async Task GetKeyAsync(HttpContext context, string name, string? version)
    {
        await RecordAsync(context);
        if (await RefusedAsync(context, GetKeyFailures))
        {
            return;
        }

        version ??= _latest;
        if (name != KeyName || !_versions.TryGetValue(version, out var key))
        {
            await ErrorAsync(context, 404, "KeyNotFound", $"A key with (name/id) {name} was not found in this key vault.");
            return;
        }

        var point = key.ExportParameters(includePrivateParameters: false).Q;
        await context.Response.WriteAsJsonAsync(new
        {
            key = new
            {
                kid = $"{VaultUri}keys/{KeyName}/{version}",
                kty = "EC",
                crv = "P-256",
                key_ops = new[] { "sign", "verify" },
                x = Base64UrlText(point.X!),
                y = Base64UrlText(point.Y!),
            },
            attributes = new { enabled = true, exportable = false },
        });
    }

    private async Task SignAsync(HttpContext context, string name, string version)
    {
        var request = await RecordAsync(context);
        if (await RefusedAsync(context, SignFailures))
        {
            return;
        }

        if (name != KeyName || !_versions.TryGetValue(version, out var key))
        {
            await ErrorAsync(context, 404, "KeyNotFound", $"A key with (name/id) {name}/{version} was not found in this key vault.");
            return;
        }

        using var body = JsonDocument.Parse(request.Body);
        var alg = body.RootElement.GetProperty("alg").GetString();
        var digest = System.Buffers.Text.Base64Url.DecodeFromChars(body.RootElement.GetProperty("value").GetString());
        if (alg != "ES256" || digest.Length != 32)
        {
            await ErrorAsync(context, 400, "BadParameter", "ES256 needs a 32-byte SHA-256 digest");
            return;
        }

        var raw = (WrongKey ?? key).SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        await context.Response.WriteAsJsonAsync(new { kid = $"{VaultUri}keys/{KeyName}/{version}", value = Base64UrlText(raw) });
    }

    private async Task<RecordedRequest> RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var recorded = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            context.Request.Query["api-version"].ToString(),
            context.Request.Headers.Authorization.ToString(),
            context.Request.ContentType,
            await reader.ReadToEndAsync());
        Requests.Enqueue(recorded);
        return recorded;
    }

    private static async Task<bool> RefusedAsync(HttpContext context, ConcurrentQueue<int> failures)
    {
        if (context.Request.Headers.Authorization.ToString() != "Bearer " + Token)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer authorization=\"https://login.microsoftonline.com/tenant\", resource=\"https://vault.azure.net\"";
            await ErrorAsync(context, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
            return true;
        }

        if (!failures.TryDequeue(out var status))
        {
            return false;
        }

        if (status == 429)
        {
            context.Response.Headers.RetryAfter = "0";
        }

        var code = status switch { 401 => "Unauthorized", 403 => "Forbidden", 404 => "KeyNotFound", 429 => "Throttled", _ => "InternalError" };
        await ErrorAsync(context, status, code, $"stub refused with {status}");
        return true;
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        return context.Response.WriteAsJsonAsync(new { error = new { code, message } });
    }

    private static string Base64UrlText(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}

/// <summary>One request the stub received.</summary>
internal sealed record RecordedRequest(string Method, string Path, string ApiVersion, string Authorization, string? ContentType, string Body);

/// <summary>A credential that hands out the stub's token and records the scopes asked for.</summary>
internal sealed class RecordingCredential : TokenCredential
{
    public ConcurrentQueue<string> Scopes { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        foreach (var scope in requestContext.Scopes)
        {
            Scopes.Enqueue(scope);
        }

        return new AccessToken(KeyVaultStub.Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
