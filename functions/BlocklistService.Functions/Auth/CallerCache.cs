using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Auth;

/// <summary>
/// Authenticated callers by the SHA-256 of the whole key they presented, so a repeat request skips parsing, the secret
/// comparison and building a principal. A presented key with any other secret has another digest and can never hit.
/// An entry counts only while <see cref="ApiKeyStore"/> still caches the very record it was built from: the cache TTL
/// and the immediate effect of a revocation on this instance are exactly the store's.
/// </summary>
public sealed class CallerCache(ApiKeyStore keys, IOptions<AuthOptions> options)
{
    private readonly ConcurrentDictionary<KeyDigest, Caller> _callers = new();

    /// <summary>The caller authenticated earlier with the key whose digest is <paramref name="digest"/>, if still valid.</summary>
    public bool TryGet(KeyDigest digest, [NotNullWhen(true)] out Caller? caller)
    {
        if (_callers.TryGetValue(digest, out caller) && keys.TryGetCached(caller.KeyId, out var record) && ReferenceEquals(record, caller.Record))
        {
            return true;
        }

        caller = null;
        return false;
    }

    /// <summary>
    /// The caller for a key just verified against <paramref name="record"/> (secret compared, not revoked); remembered
    /// under <paramref name="digest"/> when key rows are cached at all.
    /// </summary>
    public Caller Add(KeyDigest digest, ApiKeyRecord record)
    {
        var caller = new Caller(record);
        var settings = options.Value;
        if (settings.KeyCacheTtl > TimeSpan.Zero)
        {
            if (_callers.Count >= settings.KeyCacheSize)
            {
                _callers.Clear();
            }

            _callers[digest] = caller;
        }

        return caller;
    }

    /// <summary>Forgets the caller for <paramref name="digest"/> (its key was refused).</summary>
    public void Remove(KeyDigest digest) => _callers.TryRemove(digest, out _);

    /// <summary>
    /// The caller once authenticated on this instance with exactly this key (secret compared then, never revoked here
    /// since), however long ago; only for when storage cannot be reached to check the key again, so that ISP polls keep
    /// being answered through a storage outage. A revocation served by another instance during the outage takes effect
    /// here when storage answers again.
    /// </summary>
    public bool TryGetDuringOutage(KeyDigest digest, [NotNullWhen(true)] out Caller? caller) => _callers.TryGetValue(digest, out caller);

    /// <summary>Forgets every caller of <paramref name="keyId"/> (the key was revoked on this instance).</summary>
    public void Forget(string keyId)
    {
        foreach (var (digest, caller) in _callers)
        {
            if (caller.KeyId == keyId)
            {
                _callers.TryRemove(digest, out _);
            }
        }
    }
}
