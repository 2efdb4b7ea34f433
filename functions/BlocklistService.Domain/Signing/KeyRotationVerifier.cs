namespace BlocklistService.Domain.Signing;

/// <summary>
/// What a client trusts: the sequence of the newest key set it accepted (0 when it only holds pins obtained out of
/// band) and the keys it trusts — its pins and the keys of the accepted set.
/// </summary>
public sealed record KeyTrust(long Sequence, IReadOnlyList<KeySetKey> Keys)
{
    /// <summary>Trust in keys obtained out of band (sequence 0: any key set they endorse is newer).</summary>
    public static KeyTrust Pin(IEnumerable<ReadOnlyMemory<byte>> spkis) =>
        new(0, spkis.Select(s => KeySetKey.For(s.Span, DateTimeOffset.UnixEpoch)).DistinctBy(k => k.KeyId).ToList());

    public KeySetKey? Find(string keyId) => Keys.FirstOrDefault(k => k.KeyId == keyId);

    /// <summary>This trust plus <paramref name="keys"/> (a key already trusted keeps its entry).</summary>
    public KeyTrust With(IEnumerable<KeySetKey> keys) => this with { Keys = Keys.Concat(keys).DistinctBy(k => k.KeyId).ToList() };
}

/// <summary>The outcome of checking key sets: the new trust, or why a set was refused (the trust held before it).</summary>
public sealed record KeyRotationResult(bool Accepted, KeyTrust Trust, string? Reason)
{
    public static KeyRotationResult Accept(KeyTrust trust) => new(true, trust, null);

    public static KeyRotationResult Refuse(KeyTrust trust, string reason) => new(false, trust, reason);
}

/// <summary>
/// Follows signing-key rotations from trusted keys: a key set is accepted only if it parses, the key named as its
/// signer is trusted (and not retired when the set was created), the detached signature (ECDSA P-256, SHA-256, DER)
/// verifies over the exact bytes, and its sequence is higher than the one held (no rollback). Accepting it adds its
/// keys to the trusted ones. A client several rotations behind walks <c>keys/{sequence}.json</c> in order with
/// <see cref="Follow"/>.
/// </summary>
public static class KeyRotationVerifier
{
    public static KeyRotationResult Verify(KeyTrust trust, SignedKeySet candidate)
    {
        var parsed = KeySet.FromJson(candidate.Document);
        if (!parsed.TryGetValue(out var keySet))
        {
            return KeyRotationResult.Refuse(trust, $"the key set is malformed: {parsed.Error}");
        }

        if (keySet.Sequence <= trust.Sequence)
        {
            return KeyRotationResult.Refuse(trust, $"key set {keySet.Sequence} is not newer than the key set {trust.Sequence} held (rollback refused)");
        }

        var endorser = trust.Find(keySet.SignedBy);
        if (endorser is null)
        {
            return KeyRotationResult.Refuse(trust, $"key set {keySet.Sequence} is signed by key {keySet.SignedBy}, which is not a trusted key");
        }

        if (endorser.IsRetiredAt(keySet.Created))
        {
            return KeyRotationResult.Refuse(trust, $"key set {keySet.Sequence} is signed by key {endorser.KeyId}, retired before the set was created");
        }

        using (var verifier = SignatureVerifier.FromSpki([endorser.Spki]))
        {
            if (verifier.Check(candidate.Document, candidate.Signature, endorser.KeyId) is { } problem)
            {
                return KeyRotationResult.Refuse(trust, $"key set {keySet.Sequence}: {problem}");
            }
        }

        return KeyRotationResult.Accept(new KeyTrust(keySet.Sequence, keySet.Keys).With(trust.Keys));
    }

    /// <summary>
    /// Applies key sets in ascending sequence. Sets before the first one a trusted key signed are passed over (a
    /// client may have pinned a key added later in the chain); from then on every set must be accepted. Refused
    /// when the last set is not accepted, with the trust held before the call.
    /// </summary>
    public static KeyRotationResult Follow(KeyTrust trust, IEnumerable<SignedKeySet> chain)
    {
        var current = trust;
        var anyAccepted = false;
        string? reason = "no key set to follow";
        foreach (var candidate in chain)
        {
            var result = Verify(current, candidate);
            if (result.Accepted)
            {
                current = result.Trust;
                anyAccepted = true;
                reason = null;
                continue;
            }

            if (anyAccepted || current.Find(SignerOf(candidate)) is not null)
            {
                return KeyRotationResult.Refuse(trust, result.Reason!);
            }

            reason = result.Reason;
        }

        return reason is null ? KeyRotationResult.Accept(current) : KeyRotationResult.Refuse(trust, reason);
    }

    private static string SignerOf(SignedKeySet candidate) =>
        KeySet.FromJson(candidate.Document).TryGetValue(out var set) ? set.SignedBy : string.Empty;
}
