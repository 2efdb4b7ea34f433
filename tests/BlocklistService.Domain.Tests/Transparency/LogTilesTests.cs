using System.Security.Cryptography;
using BlocklistService.Domain.Transparency;
using FsCheck;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Transparency;

public sealed class LogTilesTests
{
    private const int MaxLeaves = 70_000; // past 256² so three tile levels take part

    private static readonly byte[][] Leaves = Enumerable.Range(0, MaxLeaves).Select(i => MerkleHash.Leaf(SHA256.HashData(BitConverter.GetBytes(i)))).ToArray();

    // Tiles as a store keeps them, appended in uneven batches (most small, some spanning many tiles), each append
    // reading only the edge tiles of the size before it.
    private static readonly Dictionary<TileCoordinate, byte[]> Stored = AppendAll(new Random(8));

    [Property(MaxTest = 300)]
    public bool Every_complete_node_read_from_its_tile_equals_the_directly_computed_hash(PositiveInt sizeSeed, NonNegativeInt indexSeed)
    {
        var size = sizeSeed.Get % 3000 + 1;
        var index = indexSeed.Get % size;
        var node = new NodeCoordinate(0, index);
        for (var level = 0; (1L << level) <= size; level++)
        {
            var candidate = new NodeCoordinate(level, index >> level);
            if (candidate.EndLeaf <= size)
            {
                node = candidate;
            }
        }

        var tile = LogTiles.TileOf(node);
        return LogTiles.NodeHash(node, Stored[tile]).AsSpan().SequenceEqual(MerkleTree.NodeHash(Leaves[..size], node))
            && LogTiles.WidthNeeded(node) <= LogTiles.WidthAt(tile, size);
    }

    [Property(MaxTest = 200)]
    public bool Proofs_assembled_from_tiles_equal_the_direct_ones_and_read_few_tiles(PositiveInt secondSeed, PositiveInt firstSeed, NonNegativeInt indexSeed)
    {
        var second = secondSeed.Get % MaxLeaves + 1;
        var first = firstSeed.Get % second + 1;
        var index = indexSeed.Get % second;
        var inclusion = MerkleTree.InclusionPlan(index, second);
        var consistency = MerkleTree.ConsistencyPlan(first, second);
        var inclusionTiles = LogTiles.TilesFor(inclusion.Nodes);
        var consistencyTiles = LogTiles.TilesFor(consistency.Nodes);
        byte[] HashOf(NodeCoordinate node) => LogTiles.NodeHash(node, Stored[LogTiles.TileOf(node)]);
        var leaves = Leaves[..second];
        return inclusion.Assemble(HashOf).Select(Convert.ToHexStringLower).SequenceEqual(MerkleTree.InclusionProof(leaves, index, second).Select(Convert.ToHexStringLower))
            && consistency.Assemble(HashOf).Select(Convert.ToHexStringLower).SequenceEqual(MerkleTree.ConsistencyProof(leaves, first, second).Select(Convert.ToHexStringLower))
            && LogTiles.Root(second, t => Stored[t]).AsSpan().SequenceEqual(MerkleTree.Root(leaves))
            && inclusionTiles.Concat(consistencyTiles).All(t => t.Value <= LogTiles.WidthAt(t.Key, second))
            && inclusionTiles.Count <= 3 * 3 && consistencyTiles.Count <= 3 * 3; // three tile levels here; 40 nodes would be 2·log2(n)
    }

    [Fact]
    public void Tiles_of_a_million_leaf_tree_proofs_stay_within_a_handful()
    {
        const long size = 1_000_000;
        var random = new Random(1);
        for (var i = 0; i < 500; i++)
        {
            var index = random.NextInt64(size);
            var first = 1 + random.NextInt64(size - 1);
            Assert.InRange(LogTiles.TilesFor(MerkleTree.InclusionPlan(index, size).Nodes).Count, 1, 6);
            Assert.InRange(LogTiles.TilesFor(MerkleTree.ConsistencyPlan(first, size).Nodes).Count, 1, 7);
        }
    }

    [Theory]
    [InlineData(0L, new int[0])]
    [InlineData(1L, new[] { 0 })]
    [InlineData(256L, new[] { 1 })]
    [InlineData(257L, new[] { 0, 1 })]
    [InlineData(65536L, new[] { 2 })]
    [InlineData(1_000_000L, new[] { 0, 1, 2 })]
    public void Edge_tiles_are_the_partial_tiles_of_each_level(long size, int[] levels)
    {
        var edge = LogTiles.EdgeTiles(size);
        Assert.Equal(levels, edge.Select(t => t.Level));
        Assert.All(edge, t => Assert.InRange(LogTiles.WidthAt(t, size), 1, LogTiles.Width - 1));
        var root = MerkleTree.RootPlan(Math.Max(1, size)).Nodes;
        if (size > 0)
        {
            Assert.True(LogTiles.TilesFor(root).Keys.ToHashSet().SetEquals(edge));
        }
    }

    [Fact]
    public void Width_grows_with_the_tree_and_full_tiles_are_256_wide()
    {
        var tile = new TileCoordinate(1, 2); // tree level 8, nodes 512 … 767, i.e. leaves 131072 … 196607
        Assert.Equal(0, LogTiles.WidthAt(tile, 131_071));
        Assert.Equal(0, LogTiles.WidthAt(tile, 131_072 + 255));
        Assert.Equal(1, LogTiles.WidthAt(tile, 131_072 + 256));
        Assert.Equal(256, LogTiles.WidthAt(tile, 196_608));
        Assert.Equal(256, LogTiles.WidthAt(tile, 10_000_000));
        Assert.Equal(new TileCoordinate(1, 2), LogTiles.TileOf(new NodeCoordinate(15, 4)));
        Assert.Equal(new TileCoordinate(2, 0), LogTiles.TileOf(new NodeCoordinate(16, 3)));
        Assert.Equal(256, LogTiles.WidthNeeded(new NodeCoordinate(15, 5)));
    }

    [Fact]
    public void An_edge_tile_wider_than_the_size_from_an_earlier_attempt_gives_the_same_append()
    {
        // an attempt at appending 300 leaves to 1000 wrote its tiles and stopped before committing; the retry reads
        // those wider tiles back and must produce exactly the same tiles
        var tiles = new Dictionary<TileCoordinate, byte[]>();
        Apply(tiles, LogTiles.Append(0, Leaves[..1000], t => tiles[t]));
        var clean = LogTiles.Append(1000, Leaves[1000..1300], t => tiles[t]);
        Apply(tiles, clean);
        var retry = LogTiles.Append(1000, Leaves[1000..1300], t => tiles[t]);
        Assert.Equal(clean.Select(c => (c.Tile, Convert.ToHexStringLower(c.Hashes))), retry.Select(c => (c.Tile, Convert.ToHexStringLower(c.Hashes))));
        Assert.Equal(MerkleTree.Root(Leaves[..1300]), LogTiles.Root(1300, t => tiles[t]));
        Assert.Equal(MerkleTree.Root(Leaves[..1000]), LogTiles.Root(1000, t => tiles[t])); // a wider tile still answers for the smaller tree
    }

    [Fact]
    public void An_append_reads_only_the_edge_tiles_and_changes_about_k_over_256_tiles()
    {
        var reads = new List<TileCoordinate>();
        var changed = LogTiles.Append(65_535, Leaves[65_535..69_000], t =>
        {
            reads.Add(t);
            return Stored[t];
        });
        Assert.True(reads.ToHashSet().SetEquals(LogTiles.EdgeTiles(65_535)));
        Assert.Equal(15 + 2 + 1, changed.Count); // level 0: tiles 255 … 269; level 1: tile 0 (now full) and 1; level 2: tile 0
        Assert.All(changed, c => Assert.Equal(LogTiles.WidthAt(c.Tile, 69_000) * MerkleHash.Length, c.Hashes.Length));
        Assert.Throws<InvalidOperationException>(() => LogTiles.Append(300, Leaves[300..301], _ => new byte[32]));
    }

    private static Dictionary<TileCoordinate, byte[]> AppendAll(Random random)
    {
        var tiles = new Dictionary<TileCoordinate, byte[]>();
        var size = 0;
        while (size < MaxLeaves)
        {
            var batch = Math.Min(random.Next(10) == 0 ? random.Next(1, 5000) : random.Next(1, 40), MaxLeaves - size);
            Apply(tiles, LogTiles.Append(size, Leaves[size..(size + batch)], t =>
            {
                Assert.Contains(t, LogTiles.EdgeTiles(size));
                return tiles[t];
            }));
            size += batch;
        }

        return tiles;
    }

    private static void Apply(Dictionary<TileCoordinate, byte[]> tiles, IEnumerable<(TileCoordinate Tile, byte[] Hashes)> changed)
    {
        foreach (var (tile, hashes) in changed)
        {
            tiles[tile] = hashes;
        }
    }
}
