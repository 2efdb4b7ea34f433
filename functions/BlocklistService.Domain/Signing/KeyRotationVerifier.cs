using System.Security.Cryptography;

namespace BlocklistService.Domain.Signing;

/// <summary>What a client trusts: the key set sequence it holds and that set's keys.</summary>
public sealed record KeyTrust(long Sequence, IReadOnlyList<KeySetKey> Keys)
{
    /// <summary>Trust in one key obtained out of band (sequence 0: any signed key set it endorses is newer).</summary>
    public static KeyTrust Pin(ReadOnlyMemory<byte> spki) => new(0, [KeySetKey.For(spki, DateTimeOffset.MinValue)]);

    public KeySetKey? Find(string keyId) => Keys.FirstOrDefault(k => k.KeyId == keyId);
}

/// <summary>The outcome of checking one key set: the new trust, or why the set was refused (trust unchanged).</summary>
public sealed record KeyRotationResult(bool Accepted, KeyTrust Trust, string? Reason)
{
    public static KeyRotationResult Accept(KeyTrust trust) => new(true, trust, null);

    public static KeyRotationResult Refuse(KeyTrust trust, string reason) => new(false, trust, reason);
}

/// <summary>
/// Follows signing-key rotations from a pinned key: a key set is accepted only if the key that signed it is
/// trusted now, its signature (ECDSA P-256, SHA-256, DER) verifies over the exact bytes, and its sequence is
/// higher than the one held. Accepting it makes its keys the trusted ones. A client several rotations behind
/// walks the history (<c>keys/{sequence}.json</c>) in order with <see cref="Follow"/>.
/// </summary>
public static class KeyRotationVerifier
{
    public static KeyRotationResult Verify(KeyTrust trust, SignedKeySet candidate)
    {
        var keySet = RotationKeySet.Parse(candidate.Document, out var error);
        if (keySet is null)
        {
            return KeyRotationResult.Refuse(trust, error!);
        }

        var endorser = trust.Find(keySet.SignedBy);
        if (endorser is null)
        {
            return KeyRotationResult.Refuse(trust, $"key set {keySet.Sequence} is signed by {keySet.SignedBy}, which is not a trusted key");
        }

        using (var key = ECDsa.Create())
        {
            key.ImportSubjectPublicKeyInfo(endorser.PublicKeySpki.Span, out _);
            if (!key.VerifyData(candidate.Document, candidate.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
            {
                return KeyRotationResult.Refuse(trust, $"the signature of key set {keySet.Sequence} does not verify with key {endorser.KeyId}");
            }
        }

        if (keySet.Sequence <= trust.Sequence)
        {
            return KeyRotationResult.Refuse(trust, $"key set {keySet.Sequence} is not newer than the held set {trust.Sequence} (rollback refused)");
        }

        return KeyRotationResult.Accept(new KeyTrust(keySet.Sequence, keySet.Keys));
    }

    /// <summary>Applies key sets in order; stops at the first refusal, keeping the trust reached before it.</summary>
    public static KeyRotationResult Follow(KeyTrust trust, IEnumerable<SignedKeySet> chain)
    {
        var result = KeyRotationResult.Accept(trust);
        foreach (var candidate in chain)
        {
            result = Verify(result.Trust, candidate);
            if (!result.Accepted)
            {
                return result;
            }
        }

        return result;
    }
}
