using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using BlocklistService.Functions.Signing;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Signing;

public sealed class KeyVaultArtifactSignerTests : IAsyncLifetime
{
    private KeyVaultStub _vault = null!;
    private readonly RecordingCredential _credential = new();

    public async Task InitializeAsync() => _vault = await KeyVaultStub.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Signature_is_DER_and_verifies_with_the_vault_key_and_the_served_public_key()
    {
        using var signer = await CreateAsync();
        var content = Encoding.UTF8.GetBytes("{\"list\":\"eu\",\"version\":7}");

        var signature = await signer.SignAsync(content, CancellationToken.None);

        Assert.True(_vault.Key.VerifyData(content, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        using var served = ECDsa.Create();
        served.ImportSubjectPublicKeyInfo(signer.PublicKeySpki.Span, out _);
        Assert.True(served.VerifyData(content, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.Equal(0x30, signature[0]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_vault.Key.ExportSubjectPublicKeyInfo())), signer.KeyId);
    }

    [Fact]
    public async Task Sends_the_keys_sign_request_shape_with_a_vault_scoped_bearer_token()
    {
        using var signer = await CreateAsync();
        var content = Encoding.UTF8.GetBytes("delta bytes");

        await signer.SignAsync(content, CancellationToken.None);

        Assert.All(_credential.Scopes, scope => Assert.Equal("https://vault.azure.net/.default", scope));
        Assert.NotEmpty(_credential.Scopes);
        var requests = _vault.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(("GET", $"/keys/{KeyVaultStub.KeyName}"), (requests[0].Method, requests[0].Path));
        var sign = requests[1];
        Assert.Equal("POST", sign.Method);
        Assert.Equal($"/keys/{KeyVaultStub.KeyName}/{KeyVaultStub.Version}/sign", sign.Path);
        Assert.Equal("7.4", sign.ApiVersion);
        Assert.Equal("Bearer " + KeyVaultStub.Token, sign.Authorization);
        Assert.StartsWith("application/json", sign.ContentType);
        using var body = JsonDocument.Parse(sign.Body);
        Assert.Equal("ES256", body.RootElement.GetProperty("alg").GetString());
        Assert.Equal(System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(content)), body.RootElement.GetProperty("value").GetString());
        Assert.Equal(2, body.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public async Task A_fixed_key_version_is_read_and_used_for_signing()
    {
        using var signer = await KeyVaultArtifactSigner.CreateAsync(
            _vault.SigningOptions(KeyVaultStub.Version), _credential, _vault.ClientOptions(), CancellationToken.None);

        await signer.SignAsync(new byte[] { 1, 2, 3 }, CancellationToken.None);

        Assert.Equal($"/keys/{KeyVaultStub.KeyName}/{KeyVaultStub.Version}", _vault.Requests.First().Path);
        Assert.Equal(KeyVaultStub.Version, signer.KeyVersion);
    }

    [Fact]
    public async Task Openssl_verifies_the_signature_with_the_public_key_pem()
    {
        Assert.True(ProcessRunner.IsOnPath("openssl"), "openssl is required (tools/test installs it in CI)");
        using var signer = await CreateAsync();
        var content = Encoding.UTF8.GetBytes("manifest.json bytes\n");
        var signature = await signer.SignAsync(content, CancellationToken.None);
        var dir = Directory.CreateTempSubdirectory("kvsig");
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(signer.PublicKeySpki.Span, out _);
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "key.pem"), key.ExportSubjectPublicKeyInfoPem());
            await File.WriteAllBytesAsync(Path.Combine(dir.FullName, "f"), content);
            await File.WriteAllBytesAsync(Path.Combine(dir.FullName, "f.sig"), signature);

            var result = await ProcessRunner.RunAsync("openssl", ["dgst", "-sha256", "-verify", "key.pem", "-signature", "f.sig", "f"], dir.FullName);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("Verified OK", result.StandardOutput);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData(401, "token was not accepted")]
    [InlineData(403, "Key Vault Crypto User")]
    [InlineData(404, "no such key")]
    public async Task Refusals_are_not_retried_and_say_why(int status, string hint)
    {
        using var signer = await CreateAsync();
        _vault.SignFailures.Enqueue(status);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => signer.SignAsync(new byte[] { 9 }, CancellationToken.None).AsTask());

        Assert.Equal(status, error.Status);
        Assert.Contains(hint, error.Message);
        Assert.Contains(KeyVaultStub.KeyName, error.Message);
        Assert.NotNull(error.ErrorCode);
        Assert.Equal(1, _vault.Requests.Count(r => r.Path.EndsWith("/sign", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Throttling_is_retried_and_then_succeeds()
    {
        using var signer = await CreateAsync();
        _vault.SignFailures.Enqueue(429);
        _vault.SignFailures.Enqueue(429);
        var content = new byte[] { 4, 5, 6 };

        var signature = await signer.SignAsync(content, CancellationToken.None);

        Assert.True(_vault.Key.VerifyData(content, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.Equal(3, _vault.Requests.Count(r => r.Path.EndsWith("/sign", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Server_errors_are_retried_then_reported()
    {
        using var signer = await CreateAsync();
        for (var i = 0; i < 3; i++)
        {
            _vault.SignFailures.Enqueue(503);
        }

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => signer.SignAsync(new byte[] { 7 }, CancellationToken.None).AsTask());

        Assert.Equal(503, error.Status);
        Assert.Contains("retries ran out", error.Message);
        Assert.Equal(3, _vault.Requests.Count(r => r.Path.EndsWith("/sign", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_missing_key_fails_at_creation()
    {
        var options = _vault.SigningOptions();
        options.KeyName = "no-such-key";

        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            KeyVaultArtifactSigner.CreateAsync(options, _credential, _vault.ClientOptions(), CancellationToken.None));

        Assert.Equal(404, error.Status);
        Assert.Contains("no-such-key", error.Message);
    }

    [Fact]
    public async Task A_signature_that_does_not_verify_with_the_announced_key_is_refused()
    {
        using var signer = await CreateAsync();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _vault.WrongKey = other;

        var error = await Assert.ThrowsAsync<CryptographicException>(() => signer.SignAsync(new byte[] { 1 }, CancellationToken.None).AsTask());

        Assert.Contains(signer.KeyId, error.Message);
    }

    private Task<KeyVaultArtifactSigner> CreateAsync() =>
        KeyVaultArtifactSigner.CreateAsync(_vault.SigningOptions(), _credential, _vault.ClientOptions(), CancellationToken.None);
}
