using System.IO.Compression;
using System.Text.Json;
using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Transparency;

namespace BlocklistService.Cli.Audit;

/// <summary>
/// The outcome of <c>blocklist audit verify-bundle</c>: success with what was checked, or the first failure with the
/// place in the bundle it was found (file, line, leaf index).
/// </summary>
public sealed record AuditBundleCheck(bool Ok, string? Place, string? Problem, long Start, long End, long TreeSize, int InclusionProofs, bool ConsistencyProof, IReadOnlyList<string> TrustedKeyIds);

/// <summary>
/// Verifies a bundle offline: the key set chain (from pinned keys, or from the bundle's first set, whose key ids the
/// caller must compare with ones obtained independently), the signatures of both checkpoints, every leaf's hash
/// against its inclusion proof and every inclusion proof against the end checkpoint's root, and the consistency proof
/// from the start checkpoint. Stops at the first failure.
/// </summary>
public static class AuditBundleVerifier
{
    /// <param name="pinnedKeyIds">
    /// Key ids (hex SHA-256 of the key) obtained independently: each is looked up in the bundle's key sets; since the id
    /// is the key's hash, a key found under it is the key that was meant.
    /// </param>
    public static AuditBundleCheck Verify(string path, IReadOnlyList<byte[]> pinnedSpkis, IReadOnlyList<string>? pinnedKeyIds = null)
    {
        using var zip = ZipFile.OpenRead(path);
        var state = new Progress();
        try
        {
            Run(zip, pinnedSpkis, pinnedKeyIds ?? [], state);
            return new AuditBundleCheck(true, null, null, state.Start, state.End, state.TreeSize, state.Proofs, state.Consistency, state.KeyIds);
        }
        catch (Failure f)
        {
            return new AuditBundleCheck(false, f.Place, f.Message, state.Start, state.End, state.TreeSize, state.Proofs, state.Consistency, state.KeyIds);
        }
    }

    private static void Run(ZipArchive zip, IReadOnlyList<byte[]> pinnedSpkis, IReadOnlyList<string> pinnedKeyIds, Progress state)
    {
        var manifest = Json<AuditBundleManifest>(zip, AuditBundleLayout.Manifest);
        if (manifest.Format != AuditBundleLayout.Format)
        {
            throw new Failure(AuditBundleLayout.Manifest, $"format is '{manifest.Format}', not {AuditBundleLayout.Format}");
        }

        (state.Start, state.End, state.TreeSize) = (manifest.Start, manifest.End, manifest.TreeSize);
        if (manifest.Start < 0 || manifest.End <= manifest.Start || manifest.TreeSize < manifest.End)
        {
            throw new Failure(AuditBundleLayout.Manifest, $"the range [{manifest.Start}, {manifest.End}) does not lie in a tree of size {manifest.TreeSize}");
        }

        var trust = FollowKeySets(zip, manifest, pinnedSpkis, pinnedKeyIds);
        state.KeyIds = trust.Keys.Select(k => k.KeyId).ToList();
        using var verifier = SignatureVerifier.FromSpki(trust.Keys.Select(k => (ReadOnlyMemory<byte>)k.Spki));

        var end = SignedCheckpoint(zip, AuditBundleLayout.Checkpoint, verifier, manifest.TreeSize);
        var endRoot = end.RootBytes();

        // every leaf: its bytes hash to the proof's leaf hash, and the proof leads to the signed root
        var leaves = Lines(zip, AuditBundleLayout.Leaves);
        var proofs = Lines(zip, AuditBundleLayout.Inclusion);
        var count = manifest.End - manifest.Start;
        if (leaves.Count != count)
        {
            throw new Failure(AuditBundleLayout.Leaves, $"holds {leaves.Count} leaves, the range [{manifest.Start}, {manifest.End}) has {count}");
        }

        if (proofs.Count != count)
        {
            throw new Failure(AuditBundleLayout.Inclusion, $"holds {proofs.Count} proofs, the range [{manifest.Start}, {manifest.End}) has {count}");
        }

        for (var i = 0; i < count; i++)
        {
            var index = manifest.Start + i;
            var proofPlace = $"{AuditBundleLayout.Inclusion} line {i + 1} (leaf {index})";
            var proof = Parse<BundleInclusionProof>(proofs[i], proofPlace);
            if (proof.Index != index)
            {
                throw new Failure(proofPlace, $"is the proof of leaf {proof.Index}");
            }

            var hash = MerkleHash.Leaf(leaves[i]);
            if (!Hex(proof.LeafHash, proofPlace).AsSpan().SequenceEqual(hash))
            {
                throw new Failure($"{AuditBundleLayout.Leaves} line {i + 1} (leaf {index})",
                    $"the leaf hashes to {Convert.ToHexStringLower(hash)}, not to {proof.LeafHash} which the inclusion proof proves: the leaf was altered");
            }

            var path = proof.AuditPath.Select(h => Hex(h, proofPlace)).ToList();
            if (MerkleVerifier.CheckInclusion(index, manifest.TreeSize, hash, path, endRoot) is { } reason)
            {
                throw new Failure(proofPlace, $"does not lead to the root of the signed checkpoint of size {manifest.TreeSize}: {reason}");
            }

            state.Proofs++;
        }

        // the tree at the end extends the tree at the start
        if (manifest.Start > 0)
        {
            var start = SignedCheckpoint(zip, AuditBundleLayout.StartCheckpoint, verifier, manifest.Start);
            var consistency = Json<BundleConsistencyProof>(zip, AuditBundleLayout.Consistency);
            if (consistency.First != manifest.Start || consistency.Second != manifest.TreeSize)
            {
                throw new Failure(AuditBundleLayout.Consistency, $"proves sizes {consistency.First} → {consistency.Second}, not {manifest.Start} → {manifest.TreeSize}");
            }

            var hashes = consistency.Consistency.Select(h => Hex(h, AuditBundleLayout.Consistency)).ToList();
            if (MerkleVerifier.CheckConsistency(manifest.Start, manifest.TreeSize, start.RootBytes(), endRoot, hashes) is { } reason)
            {
                throw new Failure(AuditBundleLayout.Consistency, $"the signed checkpoints of sizes {manifest.Start} and {manifest.TreeSize} are not consistent: {reason}");
            }

            state.Consistency = true;
        }
    }

    /// <summary>Follows the bundle's key set chain from the pins, or (none given) from its first set as found.</summary>
    private static KeyTrust FollowKeySets(ZipArchive zip, AuditBundleManifest manifest, IReadOnlyList<byte[]> pinnedSpkis, IReadOnlyList<string> pinnedKeyIds)
    {
        if (manifest.KeySets.Count == 0)
        {
            throw new Failure(AuditBundleLayout.Manifest, "names no key set");
        }

        var chain = manifest.KeySets.Order().Select(sequence =>
            new SignedKeySet(Bytes(zip, AuditBundleLayout.KeySet(sequence)), Bytes(zip, AuditBundleLayout.Signature(AuditBundleLayout.KeySet(sequence))))).ToList();
        KeyTrust trust;
        if (pinnedSpkis.Count > 0 || pinnedKeyIds.Count > 0)
        {
            var pinned = pinnedSpkis.Concat(pinnedKeyIds.Select(id => KeyNamed(zip, manifest, chain, id)));
            trust = KeyTrust.Pin(pinned.Select(s => (ReadOnlyMemory<byte>)s));
        }
        else
        {
            var first = KeySet.FromJson(chain[0].Document);
            if (!first.TryGetValue(out var genesis))
            {
                throw new Failure(AuditBundleLayout.KeySet(manifest.KeySets.Min()), $"not a valid {KeySet.Format}: {first.Error}");
            }

            trust = new KeyTrust(0, genesis.Keys);
        }

        var followed = KeyRotationVerifier.Follow(trust, chain);
        return followed.Accepted
            ? followed.Trust
            : throw new Failure("keys/", $"the key set chain does not verify: {followed.Reason}");
    }

    /// <summary>The key whose id is <paramref name="keyId"/>, from whichever of the bundle's key sets lists it.</summary>
    private static byte[] KeyNamed(ZipArchive zip, AuditBundleManifest manifest, IReadOnlyList<SignedKeySet> chain, string keyId)
    {
        var sequences = manifest.KeySets.Order().ToList();
        for (var i = 0; i < chain.Count; i++)
        {
            var set = KeySet.FromJson(chain[i].Document);
            if (!set.TryGetValue(out var keys))
            {
                throw new Failure(AuditBundleLayout.KeySet(sequences[i]), $"not a valid {KeySet.Format}: {set.Error}");
            }

            if (keys.Keys.FirstOrDefault(k => string.Equals(k.KeyId, keyId, StringComparison.OrdinalIgnoreCase)) is { } found)
            {
                var spki = found.Spki;
                // the id is the key's SHA-256: recompute it rather than trust the set's label for it
                return KeySetKey.For(spki, found.ActiveFrom).KeyId == found.KeyId
                    ? spki
                    : throw new Failure(AuditBundleLayout.KeySet(sequences[i]), $"lists key id {found.KeyId} with a key that does not hash to it");
            }
        }

        throw new Failure("keys/", $"no key set in the bundle holds the pinned key {keyId}: the bundle is not signed by that key, or the key id was mistyped");
    }

    private static Checkpoint SignedCheckpoint(ZipArchive zip, string name, SignatureVerifier verifier, long expectedSize)
    {
        var bytes = Bytes(zip, name);
        if (verifier.Check(bytes, Bytes(zip, AuditBundleLayout.Signature(name))) is { } bad)
        {
            throw new Failure(name, $"the signature does not verify with a key of the key set chain: {bad}");
        }

        var parsed = Checkpoint.FromJson(bytes);
        if (!parsed.TryGetValue(out var checkpoint))
        {
            throw new Failure(name, $"not a valid {Checkpoint.Format}: {parsed.Error}");
        }

        return checkpoint.Size == expectedSize
            ? checkpoint
            : throw new Failure(name, $"is of size {checkpoint.Size}, the bundle says {expectedSize}");
    }

    private static byte[] Bytes(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new Failure(name, "is missing from the bundle");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static List<byte[]> Lines(ZipArchive zip, string name)
    {
        var bytes = Bytes(zip, name);
        var lines = new List<byte[]>();
        var from = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lines.Add(bytes[from..i]);
                from = i + 1;
            }
        }

        return from == bytes.Length ? lines : throw new Failure(name, "the last line has no line ending");
    }

    private static T Json<T>(ZipArchive zip, string name) => Parse<T>(Bytes(zip, name), name);

    private static T Parse<T>(byte[] bytes, string place)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, AuditBundleWriter.Json) ?? throw new Failure(place, "is empty");
        }
        catch (JsonException e)
        {
            throw new Failure(place, $"is not valid JSON of the expected shape: {e.Message}");
        }
    }

    private static byte[] Hex(string? text, string place)
    {
        try
        {
            var bytes = Convert.FromHexString(text ?? "");
            return bytes.Length == MerkleHash.Length ? bytes : throw new Failure(place, $"'{text}' is not a 32-byte hash");
        }
        catch (FormatException)
        {
            throw new Failure(place, $"'{text}' is not hex");
        }
    }

    private sealed class Progress
    {
        public long Start;
        public long End;
        public long TreeSize;
        public int Proofs;
        public bool Consistency;
        public IReadOnlyList<string> KeyIds = [];
    }

    private sealed class Failure(string place, string message) : Exception(message)
    {
        public string Place { get; } = place;
    }
}
