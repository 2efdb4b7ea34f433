using System.Security.Cryptography;
using System.Text;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Tests.Lists;
using BlocklistService.Testing;
using FsCheck;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Signing;

public sealed class SigningTests : IDisposable
{
    private readonly PemArtifactSigner _signer = PemArtifactSigner.Generate();
    private readonly SignatureVerifier _verifier;
    private readonly byte[] _manifest = ArtifactFormatTests.SampleManifest(7, 2, true).ToJson();
    private readonly byte[] _signature;

    public SigningTests()
    {
        _verifier = SignatureVerifier.FromPem([_signer.PublicKeyPem]).Value;
        _signature = _signer.Sign(_manifest);
    }

    public void Dispose()
    {
        _signer.Dispose();
        _verifier.Dispose();
    }

    [Fact]
    public void A_signature_verifies_with_the_pinned_key()
    {
        Assert.Null(_verifier.Check(_manifest, _signature, _signer.KeyId));
        Assert.Null(_verifier.Check(_manifest, _signature));
    }

    [Property]
    public bool Flipping_any_byte_of_a_signed_artifact_fails_verification(PositiveInt position, byte mask)
    {
        var flip = mask == 0 ? (byte)1 : mask;
        var content = _manifest.ToArray();
        content[position.Get % content.Length] ^= flip;
        return !_verifier.Verify(content, _signature, _signer.KeyId);
    }

    [Property]
    public bool Flipping_any_byte_of_the_signature_fails_verification(PositiveInt position, byte mask)
    {
        var flip = mask == 0 ? (byte)1 : mask;
        var signature = _signature.ToArray();
        signature[position.Get % signature.Length] ^= flip;
        return !_verifier.Verify(_manifest, signature, _signer.KeyId);
    }

    [Fact]
    public async Task Openssl_verifies_a_produced_signature_and_rejects_a_changed_file()
    {
        Assert.True(ProcessRunner.IsOnPath("openssl"), "openssl must be installed");
        var dir = Directory.CreateTempSubdirectory("blocklist-sign-");
        try
        {
            var file = Path.Combine(dir.FullName, "manifest.json");
            var sig = file + ".sig";
            var pub = Path.Combine(dir.FullName, "pub.pem");
            await File.WriteAllBytesAsync(file, _manifest);
            await File.WriteAllBytesAsync(sig, await _signer.SignAsync(_manifest, CancellationToken.None));
            await File.WriteAllTextAsync(pub, _signer.PublicKeyPem);

            var ok = await ProcessRunner.RunAsync("openssl", ["dgst", "-sha256", "-verify", pub, "-signature", sig, file]);
            Assert.True(ok.ExitCode == 0, ok.ToString());
            Assert.Contains("Verified OK", ok.StandardOutput);

            var changed = _manifest.ToArray();
            changed[10] ^= 1;
            await File.WriteAllBytesAsync(file, changed);
            var bad = await ProcessRunner.RunAsync("openssl", ["dgst", "-sha256", "-verify", pub, "-signature", sig, file]);
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains("Verification failure", bad.StandardOutput + bad.StandardError);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_openssl_signature_verifies_here_and_the_key_id_matches_openssls_der()
    {
        var dir = Directory.CreateTempSubdirectory("blocklist-sign-");
        try
        {
            var key = Path.Combine(dir.FullName, "key.pem");
            var file = Path.Combine(dir.FullName, "delta.json.gz");
            var sig = file + ".sig";
            var der = Path.Combine(dir.FullName, "pub.der");
            await File.WriteAllTextAsync(key, _signer.ToPkcs8Pem());
            await File.WriteAllBytesAsync(file, _manifest);
            var signed = await ProcessRunner.RunAsync("openssl", ["dgst", "-sha256", "-sign", key, "-out", sig, file]);
            Assert.True(signed.ExitCode == 0, signed.ToString());
            var exported = await ProcessRunner.RunAsync("openssl", ["pkey", "-in", key, "-pubout", "-outform", "DER", "-out", der]);
            Assert.True(exported.ExitCode == 0, exported.ToString());

            var opensslSignature = await File.ReadAllBytesAsync(sig);
            var opensslDer = await File.ReadAllBytesAsync(der);
            Assert.True(_verifier.Verify(_manifest, opensslSignature, _signer.KeyId));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(opensslDer)), _signer.KeyId);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_key_survives_its_pem_round_trip()
    {
        var pem = _signer.ToPkcs8Pem();
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem);
        using var loaded = PemArtifactSigner.FromPem(pem).Value;
        Assert.Equal(_signer.KeyId, loaded.KeyId);
        Assert.True(_verifier.Verify(_manifest, loaded.Sign(_manifest), _signer.KeyId));
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", loaded.PublicKeyPem);
        Assert.Equal(_signer.KeyId, PublicKeys.KeyIdOf(PublicKeys.SpkiFromPem(loaded.PublicKeyPem).Value));
    }

    [Fact]
    public void Signatures_by_an_unpinned_key_are_refused()
    {
        using var other = PemArtifactSigner.Generate();
        var signature = other.Sign(_manifest);
        Assert.Equal($"key {other.KeyId} is not pinned", _verifier.Check(_manifest, signature, other.KeyId));
        Assert.Equal("the signature does not verify with any pinned key", _verifier.Check(_manifest, signature));
    }

    [Fact]
    public void Keys_that_are_not_p256_private_keys_are_refused_with_the_reason()
    {
        Assert.Contains("no -----BEGIN PRIVATE KEY-----", PemArtifactSigner.FromPem(_signer.PublicKeyPem).Error);
        Assert.Contains("no -----BEGIN PRIVATE KEY-----", PemArtifactSigner.FromPem("garbage").Error);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Contains("not an EC P-256 key", PemArtifactSigner.FromPem(p384.ExportPkcs8PrivateKeyPem()).Error);
        using var rsa = RSA.Create(2048);
        Assert.Contains("not an EC private key", PemArtifactSigner.FromPem(rsa.ExportPkcs8PrivateKeyPem()).Error);
        Assert.Contains("not an EC P-256 key", SignatureVerifier.FromPem([p384.ExportSubjectPublicKeyInfoPem()]).Error);
        Assert.Contains("key 0: publicKeyPem: no -----BEGIN PUBLIC KEY-----", SignatureVerifier.FromPem([_signer.ToPkcs8Pem()]).Error);
    }

    [Fact]
    public void Key_set_round_trips_and_checks_each_key_id()
    {
        using var second = PemArtifactSigner.Generate();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var genesis = KeySet.Genesis(_signer.PublicKeySpki.Span, start, start);
        var set = genesis.Rotate(second.PublicKeySpki.Span, start.AddDays(30), start.AddDays(1), new Dictionary<string, DateTimeOffset> { [_signer.KeyId] = start.AddDays(60) });
        var json = set.ToJson();
        var parsed = KeySet.FromJson(json);
        Assert.True(parsed.IsSuccess, parsed.Error);
        Assert.Equal(2, parsed.Value.Sequence);
        Assert.Equal(_signer.KeyId, parsed.Value.SignedBy);
        Assert.Equal([_signer.KeyId, second.KeyId], parsed.Value.Keys.Select(k => k.KeyId));
        Assert.Equal(json, parsed.Value.ToJson());
        Assert.Equal(_signer.KeyId, parsed.Value.ActiveAt(start.AddDays(30).AddSeconds(-1))!.KeyId);
        Assert.Equal(second.KeyId, parsed.Value.ActiveAt(start.AddDays(30))!.KeyId);
        Assert.True(parsed.Value.Keys[0].IsRetiredAt(start.AddDays(60)));
        Assert.Null(genesis.ActiveAt(start.AddSeconds(-1)));

        var forged = Encoding.UTF8.GetString(json).Replace(_signer.KeyId, second.KeyId);
        Assert.Contains("keys[0].keyId: is not the SHA-256 of the key's SubjectPublicKeyInfo", KeySet.FromJson(Encoding.UTF8.GetBytes(forged)).Error);
    }

    [Fact]
    public void A_genesis_set_holds_one_key_that_signs_it()
    {
        using var other = PemArtifactSigner.Generate();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var json = Encoding.UTF8.GetString(KeySet.Genesis(_signer.PublicKeySpki.Span, start, start).ToJson());

        Assert.Contains("signedBy: the genesis set (sequence 1) holds one key and is signed by it",
            KeySet.FromJson(Encoding.UTF8.GetBytes(json.Replace($"\"signedBy\":\"{_signer.KeyId}\"", $"\"signedBy\":\"{other.KeyId}\""))).Error);
        Assert.Contains("sequence: must be at least 1", KeySet.FromJson(Encoding.UTF8.GetBytes(json.Replace("\"sequence\":1", "\"sequence\":0"))).Error);
    }
}
