using System.Globalization;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Functions.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Publishes the key set chain for the configured <see cref="SigningKeyRing"/> to the artifacts container:
/// <c>keys/{sequence}.json</c> + <c>.sig</c> (immutable, create-only) for every key in ring order, then the current
/// set at <c>keys.json</c> + <c>keys.json.sig</c> (no-cache). Set 1 is signed by the first key; set n by the key of
/// set n-1 active when set n is created. Sets already stored are read back and must announce the ring's keys in the
/// same order (another instance may have written them first: identical key lists are success, anything else fails
/// start-up, because clients already follow the stored chain).
/// </summary>
public sealed class KeySetPublisher(IBlobStore blobs, SigningKeyRing ring, PublishStorageNames names, TimeProvider time, ILogger? logger = null)
{
    /// <summary>The current key set: <c>keys.json</c>.</summary>
    public const string CurrentPath = ArtifactPaths.Keys;

    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private SignedKeySet? _published;

    /// <summary><c>keys/{sequence}.json</c>: one set of the chain.</summary>
    public static string SequencePath(long sequence) => string.Create(CultureInfo.InvariantCulture, $"keys/{sequence}.json");

    /// <summary>Makes sure the chain up to the ring's last key is stored and <c>keys.json</c> is its last set; returns that set.</summary>
    /// <exception cref="InvalidOperationException">The stored chain disagrees with the configured keys.</exception>
    public async Task<SignedKeySet> EnsurePublishedAsync(CancellationToken cancellationToken)
    {
        if (_published is { } done)
        {
            return done;
        }

        var container = names.ArtifactsContainer;
        KeySet? previous = null;
        SignedKeySet? last = null;
        for (var i = 0; i < ring.Keys.Count; i++)
        {
            var sequence = i + 1L;
            var path = SequencePath(sequence);
            var stored = await blobs.GetAsync(container, path, cancellationToken);
            KeySet set;
            byte[] document;
            if (stored is not null)
            {
                set = KeySet.FromJson(stored.Content).TryGetValue(out var parsed)
                    ? parsed
                    : throw new InvalidOperationException($"{container}/{path} is not a valid key set: {KeySet.FromJson(stored.Content).Error}");
                if (Mismatch(set, sequence, path) is { } problem)
                {
                    if (!ring.IsEphemeral || sequence != 1)
                    {
                        throw new InvalidOperationException(problem);
                    }

                    // A development key made at start-up: nothing signed by the previous one can be verified anyway.
                    _logger.LogWarning("Replacing the key set chain of an earlier ephemeral development key: {Problem}", problem);
                    var genesis = KeySet.Genesis(ring.Keys[0].Signer.PublicKeySpki.Span, ring.Keys[0].ActiveFrom, time.GetUtcNow());
                    var signed = await SignedKeySet.SignAsync(genesis, ring.Keys[0].Signer, cancellationToken);
                    await blobs.OverwriteAsync(container, path, signed.Document, "application/json", SignedFiles.NoCache, cancellationToken);
                    await blobs.OverwriteAsync(container, ArtifactPaths.Signature(path), signed.Signature, "application/octet-stream", SignedFiles.NoCache, cancellationToken);
                    set = genesis;
                    stored = stored with { Content = signed.Document };
                }

                document = stored.Content;
            }
            else
            {
                var key = ring.Keys[i];
                var now = time.GetUtcNow();
                var retire = ring.Keys.Take(i).Where(k => k.RetiredAt is not null).ToDictionary(k => k.KeyId, k => k.RetiredAt!.Value);
                set = previous is null
                    ? KeySet.Genesis(key.Signer.PublicKeySpki.Span, key.ActiveFrom, now)
                    : previous.Rotate(key.Signer.PublicKeySpki.Span, key.ActiveFrom, now, retire);
                document = set.ToJson();
                if (await blobs.PutIfAbsentAsync(container, path, document, "application/json", SignedFiles.ImmutableCache, cancellationToken) == BlobPutResult.AlreadyExists)
                {
                    i--; // another instance wrote this set first: read and check theirs
                    continue;
                }

                _logger.LogInformation("Published key set {Sequence} adding key {KeyId} (active from {ActiveFrom:O}), signed by {SignedBy}", set.Sequence, key.KeyId, key.ActiveFrom, set.SignedBy);
            }

            last = new SignedKeySet(document, await EnsureSignatureAsync(container, path, set, document, cancellationToken));
            previous = set;
        }

        var extra = SequencePath(ring.Keys.Count + 1L);
        if (await blobs.GetAsync(container, extra, cancellationToken) is not null)
        {
            throw new InvalidOperationException($"{container}/{extra} exists: the published key chain announces more keys than Signing:Keys configures; add the missing keys (in order) to the configuration");
        }

        var current = await blobs.GetAsync(container, CurrentPath, cancellationToken);
        var currentSignature = await blobs.GetAsync(container, ArtifactPaths.Signature(CurrentPath), cancellationToken);
        if (current is null || currentSignature is null || !current.Content.AsSpan().SequenceEqual(last!.Document) || !currentSignature.Content.AsSpan().SequenceEqual(last.Signature))
        {
            // The pointer carries the endorsing signature of its set, not one by the current signing key.
            await blobs.OverwriteAsync(container, CurrentPath, last!.Document, "application/json", SignedFiles.NoCache, cancellationToken);
            await blobs.OverwriteAsync(container, ArtifactPaths.Signature(CurrentPath), last.Signature, "application/octet-stream", SignedFiles.NoCache, cancellationToken);
        }

        WarnAboutUnannouncedRetirements(previous!);
        _published = last;
        return last!;
    }

    /// <summary>
    /// A <c>RetiredAt</c> configured after a key's set was published stops this service signing with it, but clients
    /// only learn it from the next key set, which is made when the next key is added: say so instead of staying silent.
    /// </summary>
    private void WarnAboutUnannouncedRetirements(KeySet current)
    {
        foreach (var key in ring.Keys)
        {
            if (key.RetiredAt is not { } retired)
            {
                continue;
            }

            var announced = current.Keys.FirstOrDefault(k => k.KeyId == key.KeyId);
            if (announced is not null && announced.RetiredAt != retired)
            {
                _logger.LogWarning(
                    "Signing key {KeyId} is configured as retired at {RetiredAt:O}, but key set {Sequence} announces {Announced}; this service no longer signs with it, and clients learn the retirement with the next key set (made when the next key is added to Signing:Keys)",
                    key.KeyId, retired, current.Sequence, announced.RetiredAt is { } at ? $"retirement at {at:O}" : "no retirement");
            }
        }
    }

    /// <summary>Why the stored set disagrees with the ring, or null when it announces the ring's first keys in order.</summary>
    private string? Mismatch(KeySet set, long sequence, string path)
    {
        var expected = ring.Keys.Take((int)sequence).ToList();
        if (set.Sequence != sequence || set.Keys.Count != expected.Count)
        {
            return $"{path} is key set {set.Sequence} with {set.Keys.Count} keys; expected set {sequence} with the first {sequence} keys of Signing:Keys";
        }

        for (var k = 0; k < expected.Count; k++)
        {
            var wanted = KeySetKey.For(expected[k].Signer.PublicKeySpki.Span, expected[k].ActiveFrom);
            if (set.Keys[k].KeyId != wanted.KeyId || set.Keys[k].ActiveFrom != wanted.ActiveFrom)
            {
                return
                    $"{path} announces key {set.Keys[k].KeyId} active from {set.Keys[k].ActiveFrom:u} at position {k}, but Signing:Keys:{k} is {wanted.KeyId} active from {wanted.ActiveFrom:u}; published keys cannot be changed, only new ones added";
            }
        }

        return null;
    }

    private async Task<byte[]> EnsureSignatureAsync(string container, string path, KeySet set, byte[] document, CancellationToken cancellationToken)
    {
        var endorser = ring.Find(set.SignedBy)
            ?? throw new InvalidOperationException($"key set {set.Sequence} is signed by key {set.SignedBy}, which Signing:Keys does not configure");
        var sigPath = ArtifactPaths.Signature(path);
        var existing = await blobs.GetAsync(container, sigPath, cancellationToken);
        if (existing is not null)
        {
            using var verifier = SignatureVerifier.FromSpki([endorser.PublicKeySpki]);
            return verifier.Verify(document, existing.Content, endorser.KeyId)
                ? existing.Content
                : throw new InvalidOperationException($"{container}/{sigPath} does not verify with key {endorser.KeyId}");
        }

        var signature = await endorser.SignAsync(document, cancellationToken);
        if (await blobs.PutIfAbsentAsync(container, sigPath, signature, "application/octet-stream", SignedFiles.ImmutableCache, cancellationToken) == BlobPutResult.AlreadyExists)
        {
            return await EnsureSignatureAsync(container, path, set, document, cancellationToken);
        }

        return signature;
    }
}
