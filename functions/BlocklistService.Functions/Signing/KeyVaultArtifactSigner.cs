using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using BlocklistService.Domain.Signing;

namespace BlocklistService.Functions.Signing;

/// <summary>Pipeline options (retries, transport, diagnostics) for <see cref="KeyVaultArtifactSigner"/>.</summary>
public sealed class KeyVaultSigningClientOptions : ClientOptions
{
    /// <summary>The Key Vault REST API version the signer speaks.</summary>
    public string ApiVersion { get; set; } = "7.4";
}

/// <summary>
/// Signs artifacts with an EC P-256 key held in Azure Key Vault: hashes the content with SHA-256, sends the
/// digest to <c>POST keys/{name}/{version}/sign</c> with <c>ES256</c>, and turns the raw <c>r‖s</c> answer into
/// the DER signature the local signer and openssl use. The public key is read once (<see cref="CreateAsync"/>),
/// its version pinned, and every signature is checked against it before it is returned, so a published
/// signature always verifies with the key that <c>GET /api/v1/keys</c> serves.
/// </summary>
public sealed class KeyVaultArtifactSigner : IArtifactSigner, IDisposable
{
    /// <summary>The token scope of Key Vault's data plane.</summary>
    public const string Scope = "https://vault.azure.net/.default";

    private readonly HttpPipeline _pipeline;
    private readonly Uri _vaultUri;
    private readonly string _keyName;
    private readonly string _apiVersion;
    private readonly ECDsa _publicKey;
    private readonly byte[] _spki;

    private KeyVaultArtifactSigner(HttpPipeline pipeline, Uri vaultUri, string keyName, string apiVersion, string keyVersion, ECDsa publicKey)
    {
        _pipeline = pipeline;
        _vaultUri = vaultUri;
        _keyName = keyName;
        _apiVersion = apiVersion;
        KeyVersion = keyVersion;
        _publicKey = publicKey;
        _spki = publicKey.ExportSubjectPublicKeyInfo();
        KeyId = Convert.ToHexStringLower(SHA256.HashData(_spki));
    }

    /// <inheritdoc />
    public string KeyId { get; }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> PublicKeySpki => _spki;

    /// <summary>The Key Vault key version that signs (pinned at creation).</summary>
    public string KeyVersion { get; }

    /// <summary>
    /// Reads the key's public part (<c>GET keys/{name}[/{version}]</c>) and returns a signer bound to that version.
    /// </summary>
    /// <exception cref="RequestFailedException">Key Vault refused or failed; the message says why.</exception>
    /// <exception cref="InvalidOperationException">The key is not an EC P-256 key.</exception>
    public static async Task<KeyVaultArtifactSigner> CreateAsync(
        KeyVaultSigningOptions options,
        TokenCredential credential,
        KeyVaultSigningClientOptions? clientOptions,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credential);
        var vaultUri = options.VaultUri ?? throw new ArgumentException($"{KeyVaultSigningOptions.Section}:VaultUri is not set", nameof(options));
        if (string.IsNullOrWhiteSpace(options.KeyName))
        {
            throw new ArgumentException($"{KeyVaultSigningOptions.Section}:KeyName is not set", nameof(options));
        }

        clientOptions ??= new KeyVaultSigningClientOptions();
        var pipeline = HttpPipelineBuilder.Build(clientOptions, new BearerTokenAuthenticationPolicy(credential, Scope));

        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(vaultUri);
        message.Request.Uri.AppendPath("/keys/", escape: false);
        message.Request.Uri.AppendPath(options.KeyName, escape: true);
        if (!string.IsNullOrWhiteSpace(options.KeyVersion))
        {
            message.Request.Uri.AppendPath("/", escape: false);
            message.Request.Uri.AppendPath(options.KeyVersion, escape: true);
        }

        message.Request.Uri.AppendQuery("api-version", clientOptions.ApiVersion);
        message.Request.Headers.Add(HttpHeader.Names.Accept, "application/json");
        await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200)
        {
            throw Failure(response, "read", options.KeyName);
        }

        var (publicKey, version) = ParseKeyBundle(response.Content, options.KeyName);
        return new KeyVaultArtifactSigner(pipeline, vaultUri, options.KeyName, clientOptions.ApiVersion, version, publicKey);
    }

    /// <inheritdoc />
    public async ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var digest = SHA256.HashData(content.Span);
        var body = JsonSerializer.SerializeToUtf8Bytes(new SignRequest("ES256", Base64Url.Encode(digest)), KeyVaultJson.Options);

        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(_vaultUri);
        message.Request.Uri.AppendPath("/keys/", escape: false);
        message.Request.Uri.AppendPath(_keyName, escape: true);
        message.Request.Uri.AppendPath("/", escape: false);
        message.Request.Uri.AppendPath(KeyVersion, escape: true);
        message.Request.Uri.AppendPath("/sign", escape: false);
        message.Request.Uri.AppendQuery("api-version", _apiVersion);
        message.Request.Headers.Add(HttpHeader.Names.ContentType, "application/json");
        message.Request.Headers.Add(HttpHeader.Names.Accept, "application/json");
        message.Request.Content = RequestContent.Create(body);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200)
        {
            throw Failure(response, "sign with", _keyName);
        }

        byte[] raw;
        try
        {
            using var json = JsonDocument.Parse(response.Content.ToMemory());
            raw = Base64Url.Decode(json.RootElement.GetProperty("value").GetString() ?? string.Empty);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new RequestFailedException(response.Status, $"Key Vault answered keys/sign for '{_keyName}' with a body that is not a sign result: {e.Message}", e);
        }

        var der = EcdsaSignatureEncoding.RawToDer(raw);
        if (!_publicKey.VerifyHash(digest, der, DSASignatureFormat.Rfc3279DerSequence))
        {
            throw new CryptographicException(
                $"Key Vault returned a signature that does not verify with key '{_keyName}' version {KeyVersion} (key id {KeyId}); refusing to publish it");
        }

        return der;
    }

    public void Dispose() => _publicKey.Dispose();

    private static (ECDsa Key, string Version) ParseKeyBundle(BinaryData content, string keyName)
    {
        string kty, crv, kid;
        byte[] x, y;
        try
        {
            using var json = JsonDocument.Parse(content.ToMemory());
            var key = json.RootElement.GetProperty("key");
            kid = key.GetProperty("kid").GetString() ?? string.Empty;
            kty = key.GetProperty("kty").GetString() ?? string.Empty;
            crv = key.TryGetProperty("crv", out var curve) ? curve.GetString() ?? string.Empty : string.Empty;
            x = Base64Url.Decode(key.GetProperty("x").GetString() ?? string.Empty);
            y = Base64Url.Decode(key.GetProperty("y").GetString() ?? string.Empty);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidOperationException($"Key Vault key '{keyName}' is not an EC JSON Web Key: {e.Message}", e);
        }

        if (kty is not ("EC" or "EC-HSM") || crv != "P-256" || x.Length != 32 || y.Length != 32)
        {
            throw new InvalidOperationException($"Key Vault key '{keyName}' must be an EC P-256 key (got kty '{kty}', crv '{crv}')");
        }

        var version = kid.TrimEnd('/').Split('/')[^1];
        if (string.IsNullOrEmpty(version) || version == keyName)
        {
            throw new InvalidOperationException($"Key Vault key '{keyName}' has no version in its kid '{kid}'");
        }

        var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
        return (ecdsa, version);
    }

    private static RequestFailedException Failure(Response response, string action, string keyName)
    {
        string? code = null, detail = null;
        try
        {
            using var json = JsonDocument.Parse(response.Content.ToMemory());
            if (json.RootElement.TryGetProperty("error", out var error))
            {
                code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                detail = error.TryGetProperty("message", out var m) ? m.GetString() : null;
            }
        }
        catch (JsonException)
        {
        }

        var hint = response.Status switch
        {
            401 => "the token was not accepted (wrong tenant or audience)",
            403 => "the identity lacks the 'Key Vault Crypto User' role on the vault, or the key does not allow this operation",
            404 => "no such key or key version in this vault",
            429 => "Key Vault throttled the request and retries ran out",
            >= 500 => "Key Vault failed; retries ran out",
            _ => "unexpected answer",
        };
        var requestId = response.Headers.TryGetValue("x-ms-request-id", out var id) ? $", request id {id}" : string.Empty;
        var message = $"Key Vault could not {action} key '{keyName}': {response.Status} {response.ReasonPhrase} ({hint})" +
            (code is null ? string.Empty : $", error code {code}") + (detail is null ? string.Empty : $": {detail}") + requestId;
        return new RequestFailedException(response.Status, message, code, null);
    }

    private sealed record SignRequest(string Alg, string Value);
}
