using System.Security.Cryptography;
using System.Text;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Signing;

namespace BlocklistService.Functions.Tests.Signing;

/// <summary>
/// Rotation from a local key 1 to a Key Vault key 2 (the real signer against the HTTPS stub): a client pinned to
/// key 1 follows the signed key sets, uses key 2 from its start moment, and refuses sets key 1 did not endorse.
/// </summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Switch = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly EcdsaSigner _key1 = new();
    private KeyVaultStub _vault = null!;
    private KeyVaultArtifactSigner _key2 = null!;

    public async Task InitializeAsync()
    {
        _vault = await KeyVaultStub.StartAsync();
        _key2 = await KeyVaultArtifactSigner.CreateAsync(_vault.SigningOptions(), new RecordingCredential(), _vault.ClientOptions(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _key2.Dispose();
        _key1.Dispose();
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task A_client_pinned_to_key_1_follows_the_rotation_to_key_2()
    {
        var (genesis, rotation) = await ChainAsync();
        var pinned = KeyTrust.Pin([_key1.PublicKeySpki]);

        var result = KeyRotationVerifier.Follow(pinned, [genesis, rotation]);

        Assert.True(result.Accepted, result.Reason);
        Assert.Equal(2, result.Trust.Sequence);
        Assert.Equal([_key1.KeyId, _key2.KeyId], result.Trust.Keys.Select(k => k.KeyId));
        var keySet = KeySet.FromJson(rotation.Document).Value;
        Assert.Equal(_key1.KeyId, keySet.ActiveAt(Switch.AddSeconds(-1))!.KeyId);
        Assert.Equal(_key2.KeyId, keySet.ActiveAt(Switch)!.KeyId);

        // An artifact Key Vault signs after the switch verifies with key 2 as the client now knows it.
        var artifact = Encoding.UTF8.GetBytes("{\"list\":\"eu\",\"version\":42}");
        var signature = await _key2.SignAsync(artifact, CancellationToken.None);
        using var known = ECDsa.Create();
        known.ImportSubjectPublicKeyInfo(result.Trust.Find(_key2.KeyId)!.Spki, out _);
        Assert.True(known.VerifyData(artifact, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public async Task A_client_that_skipped_the_genesis_set_still_follows_from_the_pin()
    {
        var (_, rotation) = await ChainAsync();

        var result = KeyRotationVerifier.Verify(KeyTrust.Pin([_key1.PublicKeySpki]), rotation);

        Assert.True(result.Accepted, result.Reason);
        Assert.NotNull(result.Trust.Find(_key2.KeyId));
    }

    [Fact]
    public async Task A_key_set_signed_by_the_new_key_itself_is_refused()
    {
        var genesis = KeySet.Genesis(_key1.PublicKeySpki.Span, Start, Start);
        var selfEndorsed = KeySet.Genesis(_key2.PublicKeySpki.Span, Switch, Switch);
        var forged = await SignedKeySet.SignAsync(selfEndorsed, _key2, CancellationToken.None);
        var pinned = KeyTrust.Pin([_key1.PublicKeySpki]);

        var result = KeyRotationVerifier.Verify(pinned, forged);

        Assert.False(result.Accepted);
        Assert.Contains("not a trusted key", result.Reason);
        Assert.Same(pinned, result.Trust);
        Assert.Null(result.Trust.Find(_key2.KeyId));
        Assert.NotEqual(genesis.SignedBy, selfEndorsed.SignedBy);
    }

    [Fact]
    public async Task A_key_set_changed_after_key_1_signed_it_is_refused()
    {
        var (_, rotation) = await ChainAsync();
        using var attacker = new EcdsaSigner();
        // The same rotation, but naming the attacker's key: consistent ids, carrying key 1's signature of the original.
        var swapped = KeySet.Genesis(_key1.PublicKeySpki.Span, Start, Start).Rotate(attacker.PublicKeySpki.Span, Switch, Start.AddDays(30)).ToJson();
        Assert.NotEqual(rotation.Document, swapped);

        var result = KeyRotationVerifier.Verify(KeyTrust.Pin([_key1.PublicKeySpki]), rotation with { Document = swapped });

        Assert.False(result.Accepted);
        Assert.Contains("does not verify", result.Reason);
    }

    [Fact]
    public async Task An_older_key_set_is_refused_after_a_rotation()
    {
        var (genesis, rotation) = await ChainAsync();
        var rotated = KeyRotationVerifier.Follow(KeyTrust.Pin([_key1.PublicKeySpki]), [genesis, rotation]).Trust;

        var result = KeyRotationVerifier.Verify(rotated, genesis);

        Assert.False(result.Accepted);
        Assert.Contains("rollback refused", result.Reason);
        Assert.Equal(2, result.Trust.Sequence);
    }

    [Fact]
    public async Task A_rotation_must_be_signed_by_the_key_active_when_it_is_made()
    {
        var genesis = KeySet.Genesis(_key1.PublicKeySpki.Span, Start, Start);
        var rotated = genesis.Rotate(_key2.PublicKeySpki.Span, Switch, Start.AddDays(1));

        Assert.Equal(_key1.KeyId, rotated.SignedBy);
        Assert.Throws<ArgumentException>(() => rotated.Rotate(_key2.PublicKeySpki.Span, Switch.AddDays(1), Switch.AddDays(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => SignedKeySet.SignAsync(rotated, _key2, CancellationToken.None).AsTask());
    }

    private async Task<(SignedKeySet Genesis, SignedKeySet Rotation)> ChainAsync()
    {
        var genesis = KeySet.Genesis(_key1.PublicKeySpki.Span, Start, Start);
        var rotation = genesis.Rotate(_key2.PublicKeySpki.Span, Switch, Start.AddDays(30));
        return (await SignedKeySet.SignAsync(genesis, _key1, CancellationToken.None),
                await SignedKeySet.SignAsync(rotation, _key1, CancellationToken.None));
    }

    /// <summary>An in-memory P-256 key standing in for the local PEM signer.</summary>
    private sealed class EcdsaSigner : IArtifactSigner, IDisposable
    {
        private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public EcdsaSigner()
        {
            PublicKeySpki = _key.ExportSubjectPublicKeyInfo();
            KeyId = Convert.ToHexStringLower(SHA256.HashData(PublicKeySpki.Span));
        }

        public string KeyId { get; }

        public ReadOnlyMemory<byte> PublicKeySpki { get; }

        public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
            ValueTask.FromResult(_key.SignData(content.Span, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

        public void Dispose() => _key.Dispose();
    }
}
