using System.Buffers.Binary;
using System.Security.Cryptography;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Lists;

public sealed class LtHash16Tests
{
    [Property]
    public bool State_hash_does_not_depend_on_order(int[] numbers, int seed)
    {
        var ids = Samples.Entries(numbers).Select(e => e.Id).ToList();
        var shuffled = ids.ToList();
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(shuffled));
        return LtHash16.StateHashOf(ids) == LtHash16.StateHashOf(shuffled);
    }

    [Property]
    public bool Incremental_updates_equal_recomputing_from_scratch(int[] initial, int[] added, int[] removedPicks)
    {
        var start = Samples.Entries(initial).Select(e => e.Id).ToHashSet();
        var checksum = LtHash16.Of(start);
        var current = new HashSet<EntryId>(start);
        foreach (var id in Samples.Entries(added).Select(e => e.Id).Where(id => !current.Contains(id)))
        {
            checksum.Add(id);
            current.Add(id);
        }

        foreach (var pick in removedPicks ?? [])
        {
            if (current.Count == 0)
            {
                break;
            }

            var id = current.ElementAt(Math.Abs(pick % current.Count));
            checksum.Remove(id);
            current.Remove(id);
        }

        return checksum.StateHash == LtHash16.StateHashOf(current) && checksum.Equals(LtHash16.Of(current));
    }

    [Property]
    public bool Different_sets_have_different_hashes(int[] numbers, int extra)
    {
        var ids = Samples.Entries(numbers).Select(e => e.Id).ToList();
        var more = Samples.Entry(extra).Id;
        return ids.Contains(more) || LtHash16.StateHashOf(ids) != LtHash16.StateHashOf(ids.Append(more));
    }

    [Fact]
    public void Lanes_are_shake128_of_prefix_and_id_summed_lane_by_lane_as_little_endian_uint16()
    {
        // A scalar reimplementation from the description in docs/protocol.md, to pin the exact bytes.
        var ids = Enumerable.Range(0, 37).Select(n => Samples.Entry(n).Id).ToList();
        var lanes = new ushort[1024];
        foreach (var id in ids)
        {
            var input = "blocklist-lthash16/1\0"u8.ToArray().Concat(Convert.FromHexString(id.Hex)).ToArray();
            var output = Shake128.HashData(input, 2048);
            for (var i = 0; i < 1024; i++)
            {
                lanes[i] = unchecked((ushort)(lanes[i] + BinaryPrimitives.ReadUInt16LittleEndian(output.AsSpan(2 * i))));
            }
        }

        var bytes = new byte[2048];
        for (var i = 0; i < 1024; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), lanes[i]);
        }

        var checksum = LtHash16.Of(ids);
        Assert.Equal(bytes, checksum.ToBytes());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), checksum.StateHash);
    }

    [Fact]
    public void Empty_set_hash_is_sha256_of_2048_zero_bytes()
    {
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(new byte[2048])), LtHash16.EmptyStateHash);
        var checksum = LtHash16.Of([Samples.Entry(1).Id]);
        checksum.Remove(Samples.Entry(1).Id);
        Assert.Equal(LtHash16.EmptyStateHash, checksum.StateHash);
    }

    [Fact]
    public void Checksum_bytes_round_trip_and_wrong_length_is_refused()
    {
        var checksum = LtHash16.Of(Enumerable.Range(0, 5).Select(n => Samples.Entry(n).Id));
        var restored = LtHash16.FromBytes(checksum.ToBytes());
        Assert.True(restored.IsSuccess);
        Assert.Equal(checksum, restored.Value);

        var wrong = LtHash16.FromBytes(new byte[2047]);
        Assert.False(wrong.IsSuccess);
        Assert.Contains("2048", wrong.Error);
    }

    [Fact]
    public void Lanes_wrap_modulo_two_to_the_sixteen()
    {
        // Adding the same id 65536 times wraps every lane back to zero; 65535 times equals subtracting it once.
        var id = Samples.Entry(7).Id;
        var many = new LtHash16();
        for (var i = 0; i < 65535; i++)
        {
            many.Add(id);
        }

        var negative = new LtHash16();
        negative.Remove(id);
        Assert.Equal(negative, many);
        many.Add(id);
        Assert.Equal(LtHash16.EmptyStateHash, many.StateHash);
    }
}
