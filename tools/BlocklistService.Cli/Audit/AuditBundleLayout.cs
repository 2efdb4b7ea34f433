using System.Globalization;

namespace BlocklistService.Cli.Audit;

/// <summary>
/// The names inside a court-ready audit bundle (<c>blocklist-audit-bundle/1</c>, a zip), shared by the writer and the
/// verifier (and by <c>verify.py</c> inside the bundle, which spells them again in Python):
/// <list type="bullet">
/// <item><c>bundle.json</c>: format, the requested time range, <c>start</c>/<c>end</c> (leaf indexes [start, end)), <c>treeSize</c>, key set sequences.</item>
/// <item><c>leaves.jsonl</c>: the exact bytes of leaves start … end-1, one per line.</item>
/// <item><c>checkpoint.json</c> + <c>.sig</c>: the signed checkpoint of size <c>treeSize</c> (≥ end).</item>
/// <item><c>start-checkpoint.json</c> + <c>.sig</c> and <c>proofs/consistency.json</c>: when start &gt; 0, the checkpoint at start and the proof that the tree at treeSize extends it.</item>
/// <item><c>proofs/inclusion.jsonl</c>: per leaf, in the same order, <c>{"index", "leafHash", "auditPath"}</c> in the tree of treeSize.</item>
/// <item><c>keys/{sequence}.json</c> + <c>.sig</c>: the key set chain, each set signed by a key of the one before.</item>
/// </list>
/// </summary>
public static class AuditBundleLayout
{
    public const string Format = "blocklist-audit-bundle/1";
    public const string Manifest = "bundle.json";
    public const string Leaves = "leaves.jsonl";
    public const string Checkpoint = "checkpoint.json";
    public const string StartCheckpoint = "start-checkpoint.json";
    public const string Inclusion = "proofs/inclusion.jsonl";
    public const string Consistency = "proofs/consistency.json";
    public const string Readme = "README.md";
    public const string Script = "verify.py";

    public static string Signature(string name) => name + ".sig";

    public static string KeySet(long sequence) => string.Create(CultureInfo.InvariantCulture, $"keys/{sequence}.json");
}

/// <summary>The contents of <c>bundle.json</c>.</summary>
public sealed record AuditBundleManifest(
    string Format, DateTimeOffset From, DateTimeOffset To, long Start, long End, long TreeSize, IReadOnlyList<long> KeySets);

/// <summary>One line of <c>proofs/inclusion.jsonl</c>.</summary>
public sealed record BundleInclusionProof(long Index, string LeafHash, IReadOnlyList<string> AuditPath);

/// <summary>The contents of <c>proofs/consistency.json</c>.</summary>
public sealed record BundleConsistencyProof(long First, long Second, IReadOnlyList<string> Consistency);
