using System.Security.Cryptography;
using BlocklistService.Domain.Matching;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Matching;

/// <summary>The lane-parallel SHA-256 is SHA-256: every digest equals the library's, for every length and mix.</summary>
public sealed class Sha256LanesTests
{
    [Fact]
    public void Every_length_from_0_to_200_bytes_hashes_as_the_library_does()
    {
        var random = new Random(7);
        var data = new byte[201 * 202 / 2];
        random.NextBytes(data);
        var messages = new List<Range>();
        var at = 0;
        for (var length = 0; length <= 200; length++)
        {
            messages.Add(at..(at + length));
            at += length;
        }

        var digests = new byte[messages.Count * 32];
        Sha256Lanes.Hash(data, messages.ToArray(), digests);

        for (var i = 0; i < messages.Count; i++)
        {
            Assert.Equal(SHA256.HashData(data.AsSpan()[messages[i]]), digests.AsSpan(i * 32, 32).ToArray());
        }
    }

    [Property(MaxTest = 200)]
    public bool Any_mix_of_messages_hashes_as_the_library_does(byte[][] messages)
    {
        messages = (messages ?? []).Where(m => m is not null).Take(40).ToArray();
        var data = messages.SelectMany(m => m).ToArray();
        var ranges = new Range[messages.Length];
        var at = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            ranges[i] = at..(at + messages[i].Length);
            at += messages[i].Length;
        }

        var digests = new byte[messages.Length * 32];
        Sha256Lanes.Hash(data, ranges, digests);
        return messages.Select((m, i) => SHA256.HashData(m).AsSpan().SequenceEqual(digests.AsSpan(i * 32, 32))).All(ok => ok);
    }
}
