using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BlocklistService.Cli.Service;
using BlocklistService.Domain.Acceptance;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Transparency;

namespace BlocklistService.Cli.Audit;

/// <summary>The outcome of <c>blocklist audit verify</c>: success with counts, or the first discrepancy, precisely located.</summary>
public sealed record AuditReport(bool Ok, string? Discrepancy, long? LeafIndex, string? List, long? Version,
    long TreeSize, int Lists, int Manifests, int ConsistencyProofs, int CheckpointsSeen, int Decisions = 0);

/// <summary>A checkpoint the auditor has seen and verified, kept locally so later runs prove the log only grew.</summary>
public sealed record SeenCheckpoint(long Size, string RootHash, DateTimeOffset Time);

/// <summary>
/// Verifies the service's transparency log and manifests with only auditor credentials and pinned keys: the signed
/// checkpoint; consistency between every pair of successive checkpoints seen (kept under
/// <c>{state}/audit/checkpoints.json</c>); every leaf against the checkpoint root; and a replay of every list that
/// recomputes its entry count, state hash and log position at every version and compares them with the signed
/// manifests. Decision leaves (<c>blocklist-decision/1</c>) are checked for form (actor, reason, the lists they name)
/// and counted; they change no list's state. Stops at the first discrepancy.
/// </summary>
public sealed class AuditVerifier(HttpClient http, SignatureVerifier keys, string stateDirectory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string CheckpointsFile => Path.Combine(stateDirectory, "audit", "checkpoints.json");

    public async Task<AuditReport> VerifyAsync(CancellationToken cancellationToken)
    {
        var progress = new Counts();
        try
        {
            return await RunAsync(progress, cancellationToken);
        }
        catch (Discrepancy d)
        {
            return new AuditReport(false, d.Message, d.LeafIndex, d.List, d.Version, progress.TreeSize, progress.Lists, progress.Manifests, progress.Proofs, progress.Checkpoints, progress.Decisions);
        }
    }

    private async Task<AuditReport> RunAsync(Counts counts, CancellationToken cancellationToken)
    {
        // 1. the signed checkpoint
        var wire = await GetAsync<CheckpointWire>("api/v1/audit/log/checkpoint", cancellationToken);
        var checkpointBytes = Convert.FromBase64String(wire.Checkpoint);
        if (keys.Check(checkpointBytes, Convert.FromBase64String(wire.Signature)) is { } bad)
        {
            throw new Discrepancy($"checkpoint (size {wire.Size}): signature does not verify with a pinned key: {bad}");
        }

        var checkpoint = Checkpoint.FromJson(checkpointBytes) is { IsSuccess: true } parsed
            ? parsed.Value
            : throw new Discrepancy("checkpoint: not a valid " + Checkpoint.Format);
        var size = checkpoint.Size;
        counts.TreeSize = size;

        // 2. consistency between successive checkpoints seen
        var seen = LoadSeen();
        seen.RemoveAll(s => s.Size == size && s.RootHash == checkpoint.RootHash);
        seen.Add(new SeenCheckpoint(size, checkpoint.RootHash, checkpoint.Time));
        var ordered = seen.OrderBy(s => s.Size).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            var (a, b) = (ordered[i - 1], ordered[i]);
            if (a.Size == b.Size)
            {
                throw new Discrepancy($"two checkpoints of size {a.Size} with different roots ({a.RootHash}, {b.RootHash}): the log forked");
            }

            if (a.Size == 0)
            {
                continue;
            }

            var proof = await GetAsync<ConsistencyWire>($"api/v1/audit/log/proofs/consistency?first={a.Size}&second={b.Size}", cancellationToken);
            counts.Proofs++;
            var reason = MerkleVerifier.CheckConsistency(a.Size, b.Size, Convert.FromHexString(a.RootHash), Convert.FromHexString(b.RootHash),
                proof.Consistency.Select(Convert.FromHexString).ToList());
            if (reason is not null)
            {
                throw new Discrepancy($"checkpoints of size {a.Size} and {b.Size} are not consistent: {reason}");
            }
        }

        counts.Checkpoints = ordered.Count;
        SaveSeen(ordered);

        // 3. every leaf, contiguous, well-formed, and together the checkpoint's root
        var leaves = new List<(byte[] Bytes, byte[] Hash, TransparencyLeaf Leaf)>();
        for (long start = 0; start < size;)
        {
            var page = await GetAsync<LeavesWire>($"api/v1/audit/log/leaves?start={start}&end={size}", cancellationToken);
            foreach (var item in page.Leaves)
            {
                if (item.Index != leaves.Count)
                {
                    throw new Discrepancy($"leaf {leaves.Count} is missing (the log returned leaf {item.Index} next)", leaves.Count);
                }

                var bytes = Encoding.UTF8.GetBytes(item.Leaf);
                var leaf = TransparencyLeaf.Parse(bytes) is { IsSuccess: true } ok
                    ? ok.Value
                    : throw new Discrepancy($"leaf {item.Index} is not a valid {LogLeaf.Format} or {DecisionLeaf.Format}: {TransparencyLeaf.Parse(bytes).Error}", item.Index);
                counts.Decisions += leaf.Decision is null ? 0 : 1;
                leaves.Add((bytes, MerkleHash.Leaf(bytes), leaf));
            }

            if (page.Leaves.Count == 0 || page.End <= start)
            {
                break;
            }

            start = page.End;
        }

        if (leaves.Count != size)
        {
            throw new Discrepancy($"leaf {leaves.Count} is missing (the log returned {leaves.Count} of {size} leaves)", leaves.Count);
        }

        var hashes = leaves.Select(l => l.Hash).ToList();
        if (!MerkleTree.Root(hashes).AsSpan().SequenceEqual(checkpoint.RootBytes()))
        {
            await LocateAlteredLeafAsync(leaves, checkpoint, cancellationToken);
        }

        // 4. replay every list against its signed manifests
        var lists = await GetAsync<ListsWire>("api/v1/audit/lists", cancellationToken);
        var roots = new RootsAt(hashes);
        foreach (var name in lists.Lists)
        {
            counts.Lists++;
            await ReplayAsync(ListName.Parse(name), leaves, roots, counts, cancellationToken);
        }

        var orphan = leaves.Select((l, i) => (l.Leaf, i)).FirstOrDefault(x => x.Leaf.List is { } named && !lists.Lists.Contains(named.Value));
        if (orphan.Leaf is not null)
        {
            var version = orphan.Leaf.Change?.Version ?? orphan.Leaf.Decision!.Subject.Version;
            throw new Discrepancy($"leaf {orphan.i} names list {orphan.Leaf.List!.Value.Value}, which the service does not list", orphan.i, orphan.Leaf.List!.Value.Value, version);
        }

        return new AuditReport(true, null, null, null, null, size, counts.Lists, counts.Manifests, counts.Proofs, counts.Checkpoints, counts.Decisions);
    }

    /// <summary>The root differs: find the first leaf whose server-side inclusion proof (from stored subtree hashes) does not lead from its bytes to the signed root.</summary>
    private async Task LocateAlteredLeafAsync(List<(byte[] Bytes, byte[] Hash, TransparencyLeaf Leaf)> leaves, Checkpoint checkpoint, CancellationToken cancellationToken)
    {
        for (var i = 0; i < leaves.Count; i++)
        {
            var proof = await GetAsync<InclusionWire>($"api/v1/audit/log/proofs/inclusion?index={i}&size={checkpoint.Size}", cancellationToken);
            var reason = MerkleVerifier.CheckInclusion(i, checkpoint.Size, leaves[i].Hash, proof.AuditPath.Select(Convert.FromHexString).ToList(), checkpoint.RootBytes());
            if (reason is not null)
            {
                if (leaves[i].Leaf.Decision is { } decision)
                {
                    throw new Discrepancy(
                        $"leaf {i} (decision {decision.Kind.ToWireName()} by key {decision.Actor.KeyId} at {decision.DecidedAt:u}) is not the leaf the signed checkpoint of size {checkpoint.Size} commits to: {reason}",
                        i, decision.Subject.List?.Value, decision.Subject.Version);
                }

                var leaf = leaves[i].Leaf.Change!;
                throw new Discrepancy(
                    $"leaf {i} (list {leaf.List.Value}, version {leaf.Version}, {leaf.Kind.ToWireName()} {leaf.Expression}) is not the leaf the signed checkpoint of size {checkpoint.Size} commits to: {reason}",
                    i, leaf.List.Value, leaf.Version);
            }
        }

        throw new Discrepancy($"the leaves do not hash to the signed root of size {checkpoint.Size}, and no single leaf could be blamed");
    }

    private async Task ReplayAsync(ListName list, List<(byte[] Bytes, byte[] Hash, TransparencyLeaf Leaf)> leaves, RootsAt roots, Counts counts, CancellationToken cancellationToken)
    {
        var manifests = new List<(long Version, byte[] Bytes, byte[] Signature)>();
        for (long? from = 1; from is not null;)
        {
            var page = await GetAsync<ManifestPageWire>($"api/v1/audit/lists/{list.Value}/manifests?from={from}", cancellationToken);
            manifests.AddRange(page.Manifests.Select(m => (m.Version, Convert.FromBase64String(m.Manifest), Convert.FromBase64String(m.Signature))));
            from = page.Next;
        }

        var ofList = leaves.Select((l, i) => (Leaf: l.Leaf.Change, Index: (long)i)).Where(x => x.Leaf is not null && x.Leaf.List == list)
            .Select(x => (Leaf: x.Leaf!, x.Index)).ToList();
        var backings = new Dictionary<EntryId, HashSet<string>>();
        var checksum = new LtHash16();
        var cursor = 0;
        string? previousSha = null;
        long previousVersion = 0;
        long lastLogSize = 0;
        foreach (var (version, bytes, signature) in manifests)
        {
            counts.Manifests++;
            if (keys.Check(bytes, signature) is { } bad)
            {
                throw new Discrepancy($"manifest {list.Value} version {version}: signature does not verify with a pinned key: {bad}", null, list.Value, version);
            }

            var manifest = Manifest.FromJson(bytes) is { IsSuccess: true } ok
                ? ok.Value
                : throw new Discrepancy($"manifest {list.Value} version {version}: not a valid {Manifest.Format}: {Manifest.FromJson(bytes).Error}", null, list.Value, version);
            if (manifest.Version != version || manifest.List != list)
            {
                throw new Discrepancy($"manifest {list.Value} version {version} states list {manifest.List.Value} version {manifest.Version}", null, list.Value, version);
            }

            // the hash chain, under the same rule a syncing ISP applies
            if (VersionAcceptance.CheckChain(manifest, previousVersion, previousSha) is { } broken)
            {
                throw new Discrepancy($"manifest {list.Value} version {version}: {broken.Message}", null, list.Value, version);
            }

            for (; cursor < ofList.Count && ofList[cursor].Leaf.Version <= version; cursor++)
            {
                var (leaf, index) = ofList[cursor];
                if (leaf.Version < version)
                {
                    throw new Discrepancy($"leaf {index} (list {list.Value}, version {leaf.Version}) is out of order: it follows leaves of version {version - 1}", index, list.Value, leaf.Version);
                }

                if (index >= manifest.Log.Size)
                {
                    throw new Discrepancy($"leaf {index} (list {list.Value}, version {version}) lies beyond the log size {manifest.Log.Size} its manifest names", index, list.Value, version);
                }

                Apply(leaf, index, backings, checksum);
            }

            if (manifest.Log.Size < lastLogSize || manifest.Log.Size > leaves.Count)
            {
                throw new Discrepancy($"manifest {list.Value} version {version} names log size {manifest.Log.Size}, outside {lastLogSize}..{leaves.Count}", null, list.Value, version);
            }

            var root = Convert.ToHexStringLower(roots.At(manifest.Log.Size));
            if (root != manifest.Log.RootHash)
            {
                throw new Discrepancy($"manifest {list.Value} version {version} names log root {manifest.Log.RootHash} at size {manifest.Log.Size}; the leaves give {root}", null, list.Value, version);
            }

            var count = backings.Count;
            if (VersionAcceptance.CheckState(manifest, checksum.StateHash, count) is not null)
            {
                throw new Discrepancy(
                    $"manifest {list.Value} version {version} states {manifest.EntryCount} entries with state hash {manifest.StateHash}; replaying the log gives {count} entries with {checksum.StateHash}",
                    null, list.Value, version);
            }

            lastLogSize = manifest.Log.Size;
            previousSha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            previousVersion = version;
        }

        if (cursor < ofList.Count)
        {
            var (leaf, index) = ofList[cursor];
            throw new Discrepancy($"leaf {index} names list {list.Value} version {leaf.Version}, which has no signed manifest", index, list.Value, leaf.Version);
        }
    }

    /// <summary>Backings per listed entry: add backs it; withdraw, remove and expire drop the hotline's backing; listed while any remain.</summary>
    private static void Apply(LogLeaf leaf, long index, Dictionary<EntryId, HashSet<string>> backings, LtHash16 checksum)
    {
        var hotline = leaf.Hotline ?? string.Empty;
        var wasListed = backings.TryGetValue(leaf.EntryId, out var set);
        set ??= new HashSet<string>(StringComparer.Ordinal);
        if (leaf.Kind == LogLeafKind.Add)
        {
            set.Add(hotline);
        }
        else if (!set.Remove(hotline))
        {
            throw new Discrepancy($"leaf {index} (list {leaf.List.Value}, version {leaf.Version}): {leaf.Kind.ToWireName()} of {leaf.Expression} by {hotline}, which did not back it", index, leaf.List.Value, leaf.Version);
        }

        if ((leaf.Kind == LogLeafKind.Remove && set.Count != 0) || (leaf.Kind == LogLeafKind.Withdraw && set.Count == 0))
        {
            throw new Discrepancy($"leaf {index} (list {leaf.List.Value}, version {leaf.Version}): {leaf.Kind.ToWireName()} of {leaf.Expression} leaves {set.Count} backing(s)", index, leaf.List.Value, leaf.Version);
        }

        var listed = set.Count > 0;
        if (listed && !wasListed)
        {
            backings[leaf.EntryId] = set;
            checksum.Add(leaf.EntryId);
        }
        else if (!listed && wasListed)
        {
            backings.Remove(leaf.EntryId);
            checksum.Remove(leaf.EntryId);
        }
    }

    private List<SeenCheckpoint> LoadSeen() =>
        File.Exists(CheckpointsFile) ? JsonSerializer.Deserialize<List<SeenCheckpoint>>(File.ReadAllBytes(CheckpointsFile), Json) ?? [] : [];

    private void SaveSeen(List<SeenCheckpoint> seen)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CheckpointsFile)!);
        var temporary = CheckpointsFile + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(seen, Json));
        File.Move(temporary, CheckpointsFile, overwrite: true);
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        HttpResponseMessage sent;
        try
        {
            sent = await http.GetAsync(path, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException("unreachable", $"The service at {http.BaseAddress} could not be reached: {e.Message}", "Check --api-url / BLOCKLIST_API_URL and the network, then try again.");
        }

        using var response = sent;
        if (!response.IsSuccessStatusCode)
        {
            // a refused or failed request says nothing about the log: it is an error to fix, not a discrepancy
            throw await ServiceClient.FailureAsync(response, $"GET {path}", cancellationToken);
        }

        return (await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken))!;
    }

    /// <summary>Roots of prefixes of the leaf hashes, computed incrementally from complete-subtree hashes.</summary>
    private sealed class RootsAt(IReadOnlyList<byte[]> hashes)
    {
        private readonly IReadOnlyDictionary<NodeCoordinate, byte[]> _nodes = MerkleTree.Append(0, hashes, _ => throw new InvalidOperationException());

        public byte[] At(long size) => MerkleTree.Root(size, c => _nodes[c]);
    }

    private sealed class Counts
    {
        public long TreeSize;
        public int Lists;
        public int Manifests;
        public int Proofs;
        public int Checkpoints;
        public int Decisions;
    }

    private sealed class Discrepancy(string message, long? leafIndex = null, string? list = null, long? version = null) : Exception(message)
    {
        public long? LeafIndex { get; } = leafIndex;
        public string? List { get; } = list;
        public long? Version { get; } = version;
    }

    private sealed record CheckpointWire(long Size, string RootHash, string Checkpoint, string Signature);

    private sealed record ConsistencyWire(IReadOnlyList<string> Consistency);

    private sealed record InclusionWire(IReadOnlyList<string> AuditPath);

    private sealed record LeafWire(long Index, string Leaf);

    private sealed record LeavesWire(long Start, long End, IReadOnlyList<LeafWire> Leaves);

    private sealed record ListsWire(IReadOnlyList<string> Lists);

    private sealed record ManifestWire(long Version, string Manifest, string Signature);

    private sealed record ManifestPageWire(IReadOnlyList<ManifestWire> Manifests, long? Next);
}
