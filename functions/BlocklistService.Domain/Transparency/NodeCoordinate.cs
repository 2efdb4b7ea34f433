namespace BlocklistService.Domain.Transparency;

/// <summary>
/// A complete (perfect) subtree of the log: level 0 is a leaf; the node at (level, index) covers leaves
/// [index·2^level, (index+1)·2^level). Full subtrees never change once written, so a store keeps their hashes
/// (grouped in tiles, see <see cref="LogTiles"/>) and serves any proof from O(log n) of them.
/// </summary>
public readonly record struct NodeCoordinate(int Level, long Index)
{
    /// <summary>The first leaf covered.</summary>
    public long FirstLeaf => Index << Level;

    /// <summary>One past the last leaf covered.</summary>
    public long EndLeaf => (Index + 1) << Level;

    public override string ToString() => $"({Level},{Index})";
}

/// <summary>
/// One element of a proof as complete-subtree coordinates. A single coordinate is that node's hash; several
/// (decreasing sizes, left to right) stand for the root of a ragged range at the right edge of the tree and are
/// folded from the right: h = c[last]; h = Node(c[i], h) for i from last−1 down to 0.
/// </summary>
public sealed record ProofElement(IReadOnlyList<NodeCoordinate> Nodes)
{
    /// <summary>Combines the node hashes as described above.</summary>
    public byte[] Combine(Func<NodeCoordinate, byte[]> hashOf)
    {
        var hash = hashOf(Nodes[^1]);
        for (var i = Nodes.Count - 2; i >= 0; i--)
        {
            hash = MerkleHash.Node(hashOf(Nodes[i]), hash);
        }

        return hash;
    }

    public override string ToString() => string.Join("+", Nodes);
}

/// <summary>
/// Which stored node hashes make up a proof, in proof order (bottom-up, as RFC 6962 PATH / PROOF emit them).
/// A store reads <see cref="Nodes"/> (O(log n) coordinates, in one batch if it likes) and calls <see cref="Assemble"/>.
/// </summary>
public sealed record ProofPlan(IReadOnlyList<ProofElement> Elements)
{
    /// <summary>Every distinct coordinate to read.</summary>
    public IReadOnlyList<NodeCoordinate> Nodes => Elements.SelectMany(e => e.Nodes).Distinct().ToList();

    /// <summary>The proof hashes, given a lookup of stored node hashes.</summary>
    public IReadOnlyList<byte[]> Assemble(Func<NodeCoordinate, byte[]> hashOf) =>
        Elements.Select(element => element.Combine(hashOf)).ToList();

    /// <summary>The proof hashes from a dictionary of stored node hashes (e.g. the result of a batch read).</summary>
    public IReadOnlyList<byte[]> Assemble(IReadOnlyDictionary<NodeCoordinate, byte[]> hashes) =>
        Assemble(coordinate => hashes.TryGetValue(coordinate, out var hash)
            ? hash
            : throw new KeyNotFoundException($"node {coordinate} was not supplied"));
}
