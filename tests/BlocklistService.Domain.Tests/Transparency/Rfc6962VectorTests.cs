using System.Text.Json;
using BlocklistService.Domain.Transparency;
using BlocklistService.Testing;

namespace BlocklistService.Domain.Tests.Transparency;

/// <summary>The transparency-dev/merkle vectors in ../shared/testdata/rfc6962-vectors.json (see its README).</summary>
public sealed class Rfc6962VectorTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepositoryPaths.SharedTestData, "rfc6962-vectors.json"))).RootElement;

    private static byte[][] Leaves => Vectors.GetProperty("leaves").EnumerateArray().Select(e => Hex(e)).ToArray();

    private static byte[][] LeafHashes => Leaves.Select(l => MerkleHash.Leaf(l)).ToArray();

    [Fact]
    public void Leaf_hashes_and_the_empty_root_match()
    {
        Assert.Equal(Vectors.GetProperty("leaf_hashes").EnumerateArray().Select(e => e.GetString()), LeafHashes.Select(Convert.ToHexStringLower));
        Assert.Equal(Vectors.GetProperty("empty_tree_root").GetString(), Convert.ToHexStringLower(MerkleTree.Root([])));
    }

    [Fact]
    public void Roots_for_sizes_one_to_eight_match_directly_and_from_stored_nodes()
    {
        var roots = Vectors.GetProperty("roots").EnumerateArray().ToList();
        Assert.Equal(8, roots.Count);
        var nodes = MerkleTree.Append(0, LeafHashes, c => throw new KeyNotFoundException(c.ToString()));
        foreach (var root in roots)
        {
            var size = root.GetProperty("tree_size").GetInt32();
            var expected = root.GetProperty("root").GetString();
            Assert.Equal(expected, Convert.ToHexStringLower(MerkleTree.Root(LeafHashes[..size])));
            Assert.Equal(expected, Convert.ToHexStringLower(MerkleTree.Root(size, c => nodes[c])));
        }
    }

    [Fact]
    public void Subtree_hashes_match_the_stored_nodes_an_append_creates()
    {
        var nodes = MerkleTree.Append(0, LeafHashes, c => throw new KeyNotFoundException(c.ToString()));
        foreach (var subtree in Vectors.GetProperty("subtree_hashes").EnumerateArray())
        {
            var coordinate = new NodeCoordinate(subtree.GetProperty("level").GetInt32(), subtree.GetProperty("index").GetInt64());
            Assert.Equal(subtree.GetProperty("leaf_start").GetInt64(), coordinate.FirstLeaf);
            Assert.Equal(subtree.GetProperty("hash").GetString(), Convert.ToHexStringLower(nodes[coordinate]));
        }

        Assert.Equal(15, nodes.Count);
    }

    [Fact]
    public void Inclusion_proofs_are_produced_and_verified()
    {
        var count = 0;
        foreach (var v in Vectors.GetProperty("inclusion").EnumerateArray())
        {
            var index = v.GetProperty("leaf_index").GetInt64();
            var size = v.GetProperty("tree_size").GetInt64();
            var proof = Proof(v);
            var leafHash = Hex(v.GetProperty("leaf_hash"));
            Assert.Null(MerkleVerifier.CheckInclusion(index, size, leafHash, proof, Hex(v.GetProperty("root"))));
            if (!v.TryGetProperty("leaf", out _))
            {
                var nodes = MerkleTree.Append(0, LeafHashes[..(int)size], c => throw new KeyNotFoundException());
                Assert.Equal(proof.Select(Convert.ToHexStringLower), MerkleTree.InclusionPlan(index, size).Assemble(nodes).Select(Convert.ToHexStringLower));
                Assert.Equal(proof.Select(Convert.ToHexStringLower), MerkleTree.InclusionProof(LeafHashes, index, size).Select(Convert.ToHexStringLower));
            }

            count++;
        }

        Assert.Equal(6, count);
    }

    [Fact]
    public void Consistency_proofs_are_produced_and_verified()
    {
        foreach (var v in Vectors.GetProperty("consistency").EnumerateArray())
        {
            var first = v.GetProperty("size1").GetInt64();
            var second = v.GetProperty("size2").GetInt64();
            var proof = Proof(v);
            Assert.Null(MerkleVerifier.CheckConsistency(first, second, Hex(v.GetProperty("root1")), Hex(v.GetProperty("root2")), proof));
            var nodes = MerkleTree.Append(0, LeafHashes[..(int)second], c => throw new KeyNotFoundException());
            Assert.Equal(proof.Select(Convert.ToHexStringLower), MerkleTree.ConsistencyPlan(first, second).Assemble(nodes).Select(Convert.ToHexStringLower));
            Assert.Equal(proof.Select(Convert.ToHexStringLower), MerkleTree.ConsistencyProof(LeafHashes, first, second).Select(Convert.ToHexStringLower));
        }
    }

    [Fact]
    public void Every_invalid_inclusion_proof_is_rejected()
    {
        var invalid = Vectors.GetProperty("inclusion_invalid").EnumerateArray().ToList();
        Assert.Equal(92, invalid.Count);
        foreach (var v in invalid)
        {
            // Upstream indices are uint64 (two vectors use 2^64 - 1); the API takes long, where that bit pattern is -1.
            var reason = MerkleVerifier.CheckInclusion(
                unchecked((long)v.GetProperty("leaf_index").GetUInt64()), unchecked((long)v.GetProperty("tree_size").GetUInt64()),
                Hex(v.GetProperty("leaf_hash")), Proof(v), Hex(v.GetProperty("root")));
            Assert.True(reason is not null, $"accepted: {v.GetProperty("upstream_file")} ({v.GetProperty("desc")})");
            if (v.TryGetProperty("needs_32_byte_check", out var lengthOnly) && lengthOnly.GetBoolean())
            {
                Assert.Contains("32 bytes", reason);
            }
        }
    }

    [Fact]
    public void Every_invalid_consistency_proof_is_rejected_including_the_edge_conventions()
    {
        var invalid = Vectors.GetProperty("consistency_invalid").EnumerateArray().ToList();
        Assert.Equal(92, invalid.Count);
        Assert.Contains(invalid, v => !v.GetProperty("rfc9162_in_scope").GetBoolean());
        foreach (var v in invalid)
        {
            var reason = MerkleVerifier.CheckConsistency(
                v.GetProperty("size1").GetInt64(), v.GetProperty("size2").GetInt64(),
                Hex(v.GetProperty("root1")), Hex(v.GetProperty("root2")), Proof(v));
            Assert.True(reason is not null, $"accepted: {v.GetProperty("upstream_file")} ({v.GetProperty("desc")})");
        }
    }

    private static byte[] Hex(JsonElement element) => Convert.FromHexString(element.GetString()!);

    private static List<byte[]> Proof(JsonElement vector) => vector.GetProperty("proof").EnumerateArray().Select(Hex).ToList();
}
