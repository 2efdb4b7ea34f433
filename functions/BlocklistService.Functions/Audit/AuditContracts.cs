namespace BlocklistService.Functions.Audit;

/// <summary>A signed checkpoint: its fields, its exact bytes (base64) and its detached DER signature (base64).</summary>
public sealed record CheckpointResponse(long Size, string RootHash, DateTimeOffset Time, string KeyId, string Checkpoint, string Signature);

/// <summary>A leaf: its index, RFC 6962 leaf hash (hex) and exact canonical JSON text (the hashed bytes are its UTF-8).</summary>
public sealed record LeafResponse(long Index, string LeafHash, string Leaf);

/// <summary>Leaves [start, end) of a tree of <c>treeSize</c> leaves.</summary>
public sealed record LeavesResponse(long Start, long End, long TreeSize, IReadOnlyList<LeafResponse> Leaves);

/// <summary>RFC 6962 PATH for leaf <c>index</c> in the tree of <c>treeSize</c> leaves whose root is <c>rootHash</c>.</summary>
public sealed record InclusionProofResponse(long Index, long TreeSize, string LeafHash, string RootHash, IReadOnlyList<string> AuditPath, CheckpointResponse? Checkpoint);

/// <summary>RFC 6962 PROOF between the trees of <c>first</c> and <c>second</c> leaves.</summary>
public sealed record ConsistencyProofResponse(long First, long Second, string FirstRootHash, string SecondRootHash, IReadOnlyList<string> Consistency, CheckpointResponse? Checkpoint);

/// <summary>Every log leaf about one entry, oldest first.</summary>
public sealed record EntryHistoryResponse(string EntryId, string? Expression, string? Scope, IReadOnlyList<LeafResponse> History);

/// <summary>The lists whose manifests an auditor can replay.</summary>
public sealed record AuditListsResponse(IReadOnlyList<string> Lists);

/// <summary>A versioned manifest as stored: exact bytes and detached signature, both base64.</summary>
public sealed record ManifestResponse(long Version, string Manifest, string Signature);

/// <summary>Consecutive versioned manifests from <c>from</c>; <c>next</c> is the version to ask for next, null at the end.</summary>
public sealed record ManifestPageResponse(string List, IReadOnlyList<ManifestResponse> Manifests, long? Next);
