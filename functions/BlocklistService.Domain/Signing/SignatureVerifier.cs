using System.Security.Cryptography;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Signing;

/// <summary>
/// Verifies detached artifact signatures against pinned public keys only (by key id): an ISP pins the keys it
/// trusts at setup, and adds only keys announced by a key set that a pinned key endorsed (<see cref="KeyRotationVerifier"/>),
/// never ones learned from the artifacts themselves. Signatures are DER ECDSA P-256 / SHA-256 over the exact bytes.
/// </summary>
public sealed class SignatureVerifier : IDisposable
{
    private readonly Dictionary<string, ECDsa> _keys = new(StringComparer.Ordinal);

    private SignatureVerifier()
    {
    }

    /// <summary>The pinned key ids.</summary>
    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    /// <summary>Pins the keys given as SubjectPublicKeyInfo DER.</summary>
    public static SignatureVerifier FromSpki(IEnumerable<ReadOnlyMemory<byte>> keys)
    {
        var verifier = new SignatureVerifier();
        foreach (var spki in keys)
        {
            var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(spki.Span, out _);
            if (!PublicKeys.IsP256(key))
            {
                key.Dispose();
                verifier.Dispose();
                throw new ArgumentException("only EC P-256 keys can be pinned", nameof(keys));
            }

            var canonical = key.ExportSubjectPublicKeyInfo();
            if (!verifier._keys.TryAdd(PublicKeys.KeyIdOf(canonical), key))
            {
                key.Dispose();
            }
        }

        return verifier;
    }

    /// <summary>Pins keys given as <c>PUBLIC KEY</c> PEM text; fails naming the first one that is not a P-256 public key.</summary>
    public static Result<SignatureVerifier> FromPem(IEnumerable<string> pems)
    {
        var spkis = new List<ReadOnlyMemory<byte>>();
        var index = 0;
        foreach (var pem in pems)
        {
            var spki = PublicKeys.SpkiFromPem(pem);
            if (!spki.IsSuccess)
            {
                return Result<SignatureVerifier>.Failure($"key {index}: {spki.Error}");
            }

            spkis.Add(spki.Value);
            index++;
        }

        return Result<SignatureVerifier>.Success(FromSpki(spkis));
    }

    public bool IsPinned(string keyId) => _keys.ContainsKey(keyId);

    /// <summary>Adds a key (SubjectPublicKeyInfo DER) that a verified key set announced; false when it was already pinned.</summary>
    public bool Pin(ReadOnlyMemory<byte> spki)
    {
        using var added = FromSpki([spki]);
        var (keyId, key) = added._keys.Single();
        if (_keys.ContainsKey(keyId))
        {
            return false;
        }

        added._keys.Clear();
        _keys[keyId] = key;
        return true;
    }

    /// <summary>
    /// Null when <paramref name="signature"/> is a valid signature of <paramref name="content"/> by the pinned key
    /// <paramref name="keyId"/> (or, when <paramref name="keyId"/> is null, by any pinned key); otherwise why not.
    /// </summary>
    public string? Check(ReadOnlySpan<byte> content, ReadOnlySpan<byte> signature, string? keyId = null)
    {
        if (keyId is not null)
        {
            if (!_keys.TryGetValue(keyId, out var key))
            {
                return $"key {keyId} is not pinned";
            }

            return Verify(key, content, signature) ? null : $"the signature does not verify with key {keyId}";
        }

        foreach (var key in _keys.Values)
        {
            if (Verify(key, content, signature))
            {
                return null;
            }
        }

        return _keys.Count == 0 ? "no key is pinned" : "the signature does not verify with any pinned key";
    }

    /// <summary>True when <see cref="Check"/> finds nothing wrong.</summary>
    public bool Verify(ReadOnlySpan<byte> content, ReadOnlySpan<byte> signature, string? keyId = null) =>
        Check(content, signature, keyId) is null;

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Clear();
    }

    private static bool Verify(ECDsa key, ReadOnlySpan<byte> content, ReadOnlySpan<byte> signature)
    {
        try
        {
            return key.VerifyData(content, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
