using System.Numerics;
using System.Security.Cryptography;
using BlocklistService.Domain.Transparency;
using FsCheck;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Transparency;

public sealed class MerkleTreePropertyTests
{
    private const int MaxLeaves = 3000;

    // One tree shared by every case: leaf i = SHA-256 of i, with node hashes stored as a log store would keep them.
    private readonly byte[][] _leaves = Enumerable.Range(0, MaxLeaves).Select(i => MerkleHash.Leaf(SHA256.HashData(BitConverter.GetBytes(i)))).ToArray();
    private readonly IReadOnlyDictionary<NodeCoordinate, byte[]> _nodes;

    public MerkleTreePropertyTests()
    {
        // Appended in uneven batches, reading only existing nodes, like a log growing over many publications.
        var nodes = new Dictionary<NodeCoordinate, byte[]>();
        var size = 0;
        var random = new Random(7);
        while (size < MaxLeaves)
        {
            var batch = Math.Min(random.Next(1, 40), MaxLeaves - size);
            foreach (var (coordinate, hash) in MerkleTree.Append(size, _leaves[size..(size + batch)], c => nodes[c]))
            {
                nodes[coordinate] = hash;
            }

            size += batch;
        }

        _nodes = nodes;
    }

    [Property(MaxTest = 200)]
    public bool Inclusion_proof_from_stored_nodes_equals_the_direct_one_and_verifies(PositiveInt sizeSeed, NonNegativeInt indexSeed)
    {
        var size = sizeSeed.Get % MaxLeaves + 1;
        var index = indexSeed.Get % size;
        var plan = MerkleTree.InclusionPlan(index, size);
        var proof = plan.Assemble(_nodes);
        var direct = MerkleTree.InclusionProof(_leaves, index, size);
        var root = MerkleTree.Root(_leaves[..size]);
        return proof.Select(Convert.ToHexStringLower).SequenceEqual(direct.Select(Convert.ToHexStringLower))
            && MerkleTree.Root(size, c => _nodes[c]).AsSpan().SequenceEqual(root)
            && MerkleVerifier.VerifyInclusion(index, size, _leaves[index], proof, root)
            && !MerkleVerifier.VerifyInclusion(index, size, _leaves[(index + 1) % MaxLeaves], proof, root)
            && plan.Nodes.Count <= 2 * Log2(size) + 1;
    }

    [Property(MaxTest = 200)]
    public bool Consistency_proof_from_stored_nodes_equals_the_direct_one_and_verifies(PositiveInt secondSeed, PositiveInt firstSeed)
    {
        var second = secondSeed.Get % MaxLeaves + 1;
        var first = firstSeed.Get % second + 1;
        var plan = MerkleTree.ConsistencyPlan(first, second);
        var proof = plan.Assemble(_nodes);
        var direct = MerkleTree.ConsistencyProof(_leaves, first, second);
        var firstRoot = MerkleTree.Root(_leaves[..first]);
        var secondRoot = MerkleTree.Root(_leaves[..second]);
        var tampered = first < second && proof.Count > 0 && !MerkleVerifier.VerifyConsistency(first, second, firstRoot, secondRoot, Tamper(proof));
        return proof.Select(Convert.ToHexStringLower).SequenceEqual(direct.Select(Convert.ToHexStringLower))
            && MerkleVerifier.VerifyConsistency(first, second, firstRoot, secondRoot, proof)
            && (first == second || tampered)
            && plan.Nodes.Count <= 2 * Log2(second) + 2;
    }

    [Fact]
    public void Proofs_in_a_large_tree_need_only_logarithmically_many_stored_nodes()
    {
        // 2^40 + 12345 leaves: far too many to hash, so this checks the plan alone (what a store reads).
        const long size = (1L << 40) + 12345;
        var inclusion = MerkleTree.InclusionPlan(size - 2, size);
        var consistency = MerkleTree.ConsistencyPlan((1L << 39) + 777, size);
        Assert.True(inclusion.Nodes.Count <= 2 * 41, inclusion.Nodes.Count.ToString());
        Assert.True(consistency.Nodes.Count <= 2 * 41 + 2, consistency.Nodes.Count.ToString());
        Assert.All(inclusion.Nodes.Concat(consistency.Nodes), c => Assert.True(c.EndLeaf <= size, c.ToString()));
    }

    [Fact]
    public void Root_plan_has_one_complete_subtree_per_set_bit_of_the_size()
    {
        foreach (var size in new long[] { 1, 2, 3, 7, 8, 1000, (1L << 40) + 12345 })
        {
            var plan = MerkleTree.RootPlan(size);
            Assert.Equal(BitOperations.PopCount((ulong)size), plan.Nodes.Count);
            Assert.Equal(size, plan.Nodes.Sum(c => 1L << c.Level));
        }
    }

    [Fact]
    public void Append_reads_only_existing_nodes_on_the_right_edge()
    {
        var reads = new List<NodeCoordinate>();
        MerkleTree.Append(1023, _leaves[1023..1030], c =>
        {
            reads.Add(c);
            return _nodes[c];
        });
        Assert.True(reads.Count <= 10, string.Join(",", reads));
        Assert.All(reads, c => Assert.True(c.EndLeaf <= 1023));
    }

    private static int Log2(long n) => n <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount((ulong)(n - 1));

    private static List<byte[]> Tamper(IReadOnlyList<byte[]> proof)
    {
        var copy = proof.Select(p => p.ToArray()).ToList();
        copy[^1][0] ^= 1;
        return copy;
    }
}
