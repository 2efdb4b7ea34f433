namespace BlocklistService.Domain.Transparency;

/// <summary>
/// A tile of the log's tree: tile level L holds the hashes of the complete nodes at tree level 8·L with indexes
/// [256·Index, 256·Index + width) — its "bottom row". The eight tree levels above that row, inside the tile, are
/// recomputed from it, and the roots of full tiles are the bottom row of the next tile level. So a proof needs one
/// tile per eight tree levels (plus the ragged right edge), and an append touches k/256 + log256(n) tiles.
/// </summary>
public readonly record struct TileCoordinate(int Level, long Index)
{
    public override string ToString() => $"tile({Level},{Index})";
}

/// <summary>
/// Tile maths for a log stored as tiles of height 8 (in the manner of Go's tlog and trillian-tessera): which tile
/// holds a complete subtree, how wide each tile is at a tree size, the tiles a tree size's right edge needs, and an
/// append that returns every tile it changes. Full tiles never change; a partial tile only ever grows, and its
/// first w hashes never change once written, so any wider copy answers for a narrower one.
/// </summary>
public static class LogTiles
{
    /// <summary>Tree levels per tile.</summary>
    public const int Height = 8;

    /// <summary>Hashes in a full tile's bottom row (2^<see cref="Height"/>).</summary>
    public const int Width = 1 << Height;

    /// <summary>The tile whose bottom row covers the complete node <paramref name="node"/>.</summary>
    public static TileCoordinate TileOf(NodeCoordinate node)
    {
        var level = node.Level / Height;
        var first = node.Index << (node.Level - level * Height);
        return new TileCoordinate(level, first / Width);
    }

    /// <summary>How many bottom-row hashes tile <paramref name="tile"/> has in the tree of <paramref name="size"/> leaves (0 … 256).</summary>
    public static int WidthAt(TileCoordinate tile, long size)
    {
        var row = RowLength(tile.Level, size);
        return (int)Math.Clamp(row - tile.Index * Width, 0, Width);
    }

    /// <summary>The bottom-row width a tile must at least have to answer for <paramref name="node"/>.</summary>
    public static int WidthNeeded(NodeCoordinate node)
    {
        var tile = TileOf(node);
        var shift = node.Level - tile.Level * Height;
        return (int)(((node.Index + 1) << shift) - tile.Index * Width);
    }

    /// <summary>The distinct tiles that hold <paramref name="nodes"/>, each with the width it must at least have.</summary>
    public static IReadOnlyDictionary<TileCoordinate, int> TilesFor(IEnumerable<NodeCoordinate> nodes)
    {
        var result = new Dictionary<TileCoordinate, int>();
        foreach (var node in nodes)
        {
            var tile = TileOf(node);
            result[tile] = Math.Max(result.GetValueOrDefault(tile), WidthNeeded(node));
        }

        return result;
    }

    /// <summary>
    /// The partial tiles (width 1 … 255) of a tree of <paramref name="size"/> leaves, lowest level first: exactly the
    /// tiles its root needs, and the only stored hashes an append to it reads.
    /// </summary>
    public static IReadOnlyList<TileCoordinate> EdgeTiles(long size)
    {
        var result = new List<TileCoordinate>();
        for (var level = 0; RowLength(level, size) > 0; level++)
        {
            var row = RowLength(level, size);
            if (row % Width != 0)
            {
                result.Add(new TileCoordinate(level, row / Width));
            }
        }

        return result;
    }

    /// <summary>The hash of the complete node <paramref name="node"/>, from the bottom row of the tile holding it.</summary>
    public static byte[] NodeHash(NodeCoordinate node, ReadOnlySpan<byte> tileHashes)
    {
        var tile = TileOf(node);
        var shift = node.Level - tile.Level * Height;
        var offset = (int)((node.Index << shift) - tile.Index * Width);
        var span = 1 << shift;
        if ((offset + span) * MerkleHash.Length > tileHashes.Length)
        {
            throw new ArgumentException($"{tile} has {tileHashes.Length / MerkleHash.Length} hashes; node {node} needs {offset + span}", nameof(tileHashes));
        }

        return PerfectRoot(tileHashes.Slice(offset * MerkleHash.Length, span * MerkleHash.Length));
    }

    /// <summary>
    /// Appends <paramref name="leafHashes"/> to a tree of <paramref name="size"/> leaves and returns the new bottom rows
    /// of every tile that changes, lowest level first. Only the edge tiles of <paramref name="size"/> (see
    /// <see cref="EdgeTiles"/>) are read through <paramref name="edge"/>, and only their first
    /// <see cref="WidthAt"/> hashes are used (a stored copy may be wider, from an earlier attempt at the same append).
    /// </summary>
    public static IReadOnlyList<(TileCoordinate Tile, byte[] Hashes)> Append(long size, IReadOnlyList<byte[]> leafHashes, Func<TileCoordinate, byte[]> edge)
    {
        var changed = new List<(TileCoordinate, byte[])>();
        IReadOnlyList<byte[]> added = leafHashes;
        var before = size;
        for (var level = 0; added.Count > 0; level++)
        {
            var after = before + added.Count;
            var completed = new List<byte[]>();
            for (var index = before / Width; index <= (after - 1) / Width; index++)
            {
                var tileStart = index * Width;
                var width = (int)(Math.Min(after, tileStart + Width) - tileStart);
                var hashes = new byte[width * MerkleHash.Length];
                var kept = (int)Math.Max(0, before - tileStart);
                var tile = new TileCoordinate(level, index);
                if (kept > 0)
                {
                    var stored = edge(tile);
                    if (stored.Length < kept * MerkleHash.Length)
                    {
                        throw new InvalidOperationException($"{tile} has {stored.Length / MerkleHash.Length} hashes; the tree of {size} leaves needs {kept}");
                    }

                    stored.AsSpan(0, kept * MerkleHash.Length).CopyTo(hashes);
                }

                for (var i = kept; i < width; i++)
                {
                    added[(int)(tileStart + i - before)].CopyTo(hashes, i * MerkleHash.Length);
                }

                changed.Add((tile, hashes));
                if (width == Width)
                {
                    completed.Add(PerfectRoot(hashes));
                }
            }

            added = completed;
            before /= Width;
        }

        return changed;
    }

    /// <summary>The root of the first <paramref name="size"/> leaves, from tiles (see <see cref="EdgeTiles"/>).</summary>
    public static byte[] Root(long size, Func<TileCoordinate, byte[]> tiles) =>
        MerkleTree.Root(size, node => NodeHash(node, tiles(TileOf(node))));

    /// <summary>The length of the row of complete nodes at tree level 8·<paramref name="level"/> in a tree of <paramref name="size"/> leaves.</summary>
    private static long RowLength(int level, long size) => level * Height >= 63 ? 0 : size >> (level * Height);

    /// <summary>The root of a perfect subtree given its 2^k bottom hashes, concatenated.</summary>
    private static byte[] PerfectRoot(ReadOnlySpan<byte> hashes)
    {
        var count = hashes.Length / MerkleHash.Length;
        if (count == 1)
        {
            return hashes.ToArray();
        }

        var work = hashes.ToArray();
        for (; count > 1; count /= 2)
        {
            for (var i = 0; i < count / 2; i++)
            {
                var node = MerkleHash.Node(work.AsSpan(2 * i * MerkleHash.Length, MerkleHash.Length), work.AsSpan((2 * i + 1) * MerkleHash.Length, MerkleHash.Length));
                node.CopyTo(work, i * MerkleHash.Length);
            }
        }

        return work[..MerkleHash.Length];
    }
}
