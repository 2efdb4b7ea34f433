using System.Security.Cryptography;
using System.Text;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Signing;
using BlocklistService.Functions.Tests.Publishing;

namespace BlocklistService.Functions.Tests.Signing;

/// <summary>
/// A Key Vault rotation as operators run it: the vault key gets a second version, and <c>Signing:Keys</c> lists both
/// versions. The ring must bind each entry to its own version (sign requests go to that version's URL), pick the
/// version active at each moment, and publish a key set chain a client pinned to version 1 can follow.
/// </summary>
public sealed class KeyVaultKeyRingTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Switch = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private KeyVaultStub _vault = null!;

    public async Task InitializeAsync() => _vault = await KeyVaultStub.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Each_configured_version_signs_with_its_own_key_from_its_start()
    {
        var second = _vault.AddVersion();
        var ring = await CreateRingAsync(second);

        Assert.Equal(2, ring.Keys.Count);
        Assert.NotEqual(ring.Keys[0].KeyId, ring.Keys[1].KeyId);
        Assert.Equal(KeyId(_vault.KeyOf(KeyVaultStub.Version)), ring.Keys[0].KeyId);
        Assert.Equal(KeyId(_vault.KeyOf(second)), ring.Keys[1].KeyId);

        var content = Encoding.UTF8.GetBytes("{\"list\":\"eu\",\"version\":9}");
        var before = await ring.ActiveAt(Switch.AddSeconds(-1)).SignAsync(content, CancellationToken.None);
        var after = await ring.ActiveAt(Switch).SignAsync(content, CancellationToken.None);

        Assert.True(_vault.KeyOf(KeyVaultStub.Version).VerifyData(content, before, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.True(_vault.KeyOf(second).VerifyData(content, after, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.False(_vault.KeyOf(KeyVaultStub.Version).VerifyData(content, after, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var signPaths = _vault.Requests.Where(r => r.Method == "POST").Select(r => r.Path).ToArray();
        Assert.Equal(
            [$"/keys/{KeyVaultStub.KeyName}/{KeyVaultStub.Version}/sign", $"/keys/{KeyVaultStub.KeyName}/{second}/sign"],
            signPaths);
        DisposeAll(ring);
    }

    [Fact]
    public async Task The_published_chain_takes_a_client_pinned_to_version_1_to_version_2()
    {
        var second = _vault.AddVersion();
        var ring = await CreateRingAsync(second);
        var blobs = new MemoryBlobStore();
        var publisher = new KeySetPublisher(blobs, ring, new PublishStorageNames(), new ManualTime(Switch.AddDays(-10)));

        var current = await publisher.EnsurePublishedAsync(CancellationToken.None);

        var chain = new List<SignedKeySet>();
        for (var sequence = 1; sequence <= 2; sequence++)
        {
            var path = KeySetPublisher.SequencePath(sequence);
            var document = (await blobs.GetAsync("artifacts", path, CancellationToken.None))!.Content;
            var signature = (await blobs.GetAsync("artifacts", path + ".sig", CancellationToken.None))!.Content;
            chain.Add(new SignedKeySet(document, signature));
        }

        Assert.Equal(chain[1].Document, current.Document);
        var pinned = KeyTrust.Pin([ring.Keys[0].Signer.PublicKeySpki]);
        var followed = KeyRotationVerifier.Follow(pinned, chain);
        Assert.True(followed.Accepted, followed.Reason);
        Assert.Equal([ring.Keys[0].KeyId, ring.Keys[1].KeyId], followed.Trust.Keys.Select(k => k.KeyId));
        Assert.Equal(ring.Keys[0].KeyId, KeySet.FromJson(chain[1].Document).Value.SignedBy);

        // A client pinned to the second version alone cannot be walked back onto version 1's chain.
        var wrongPin = KeyTrust.Pin([ring.Keys[1].Signer.PublicKeySpki]);
        Assert.False(KeyRotationVerifier.Verify(wrongPin, chain[0]).Accepted);
        DisposeAll(ring);
    }

    [Fact]
    public async Task A_configured_version_the_vault_does_not_have_fails_start_up_with_the_vault_error()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => CreateRingAsync("0000000000000000000000000000dead"));

        Assert.Contains("KeyNotFound", error.ToString(), StringComparison.Ordinal);
    }

    private Task<SigningKeyRing> CreateRingAsync(string secondVersion)
    {
        var signing = new SigningOptions
        {
            Provider = SigningOptions.KeyVault,
            Keys =
            [
                new SigningKeyOptions { KeyVersion = KeyVaultStub.Version },
                new SigningKeyOptions { KeyVersion = secondVersion, ActiveFrom = Switch },
            ],
        };
        return KeyVaultSigningRegistration.CreateKeyRingAsync(
            _vault.SigningOptions(), signing, new RecordingCredential(), _vault.ClientOptions(maxRetries: 0), CancellationToken.None);
    }

    private static string KeyId(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    private static void DisposeAll(SigningKeyRing ring)
    {
        foreach (var key in ring.Keys)
        {
            (key.Signer as IDisposable)?.Dispose();
        }
    }
}
