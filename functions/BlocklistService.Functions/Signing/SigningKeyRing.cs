using BlocklistService.Domain.Signing;

namespace BlocklistService.Functions.Signing;

/// <summary>One configured signing key: the signer, the moment it starts signing and (optionally) when it stops.</summary>
public sealed record SigningKey(IArtifactSigner Signer, DateTimeOffset ActiveFrom, DateTimeOffset? RetiredAt = null)
{
    public string KeyId => Signer.KeyId;
}

/// <summary>
/// The service's signing keys in the order they were introduced (<c>Signing:Keys</c>): the publisher signs what it
/// creates at a moment with <see cref="ActiveAt"/> that moment, and the key set chain (<see cref="KeySet"/>) is
/// built from the same list, so the key a manifest names is always one the published key set announces.
/// </summary>
public sealed class SigningKeyRing
{
    public SigningKeyRing(IReadOnlyList<SigningKey> keys)
    {
        if (keys.Count == 0)
        {
            throw new ArgumentException("at least one signing key is needed", nameof(keys));
        }

        for (var i = 1; i < keys.Count; i++)
        {
            if (keys[i].ActiveFrom < keys[i - 1].ActiveFrom)
            {
                throw new ArgumentException($"signing key {i} ({keys[i].KeyId}) becomes active before key {i - 1}: list keys in the order they take over", nameof(keys));
            }

            if (keys.Take(i).Any(k => k.KeyId == keys[i].KeyId))
            {
                throw new ArgumentException($"signing key {i} ({keys[i].KeyId}) is listed twice", nameof(keys));
            }
        }

        Keys = keys;
    }

    /// <summary>
    /// True for a development key made at start-up (no key file configured): its key set chain is replaced at each
    /// start instead of being checked, since nothing it signed survives a restart.
    /// </summary>
    public bool IsEphemeral { get; init; }

    /// <summary>The keys, oldest first.</summary>
    public IReadOnlyList<SigningKey> Keys { get; }

    /// <summary>A ring of one key that signs from the Unix epoch on (a single-key deployment, tests).</summary>
    public static SigningKeyRing Single(IArtifactSigner signer) => new([new SigningKey(signer, DateTimeOffset.UnixEpoch)]);

    /// <summary>The signer of what is created at <paramref name="moment"/>: the latest-starting key active and not retired then.</summary>
    /// <exception cref="InvalidOperationException">No key is active at that moment (a configuration error).</exception>
    public IArtifactSigner ActiveAt(DateTimeOffset moment) =>
        Keys.LastOrDefault(k => k.ActiveFrom <= moment && (k.RetiredAt is null || moment < k.RetiredAt))?.Signer
        ?? throw new InvalidOperationException($"no signing key is active at {moment:O}: check Signing:Keys (ActiveFrom, RetiredAt)");

    /// <summary>The signer with key id <paramref name="keyId"/>, or null.</summary>
    public IArtifactSigner? Find(string keyId) => Keys.FirstOrDefault(k => k.KeyId == keyId)?.Signer;
}
