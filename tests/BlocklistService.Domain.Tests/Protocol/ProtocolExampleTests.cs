using System.Buffers.Binary;
using System.Text;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;
using BlocklistService.Domain.Transparency;
using BlocklistService.Testing;

namespace BlocklistService.Domain.Tests.Protocol;

/// <summary>
/// Keeps the worked example in docs/protocol.md honest: every value shown there is recomputed here from the two
/// example entries, and the document must contain it verbatim.
/// </summary>
public sealed class ProtocolExampleTests
{
    /// <summary>The example public key printed in docs/protocol.md (its private half is not kept anywhere).</summary>
    public const string ExamplePublicKeyPem = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEiPauK/URbepi1rntjh4BgSjCk3SF
        Tctq2/5t+Oirpv907l4HtdwnxI0YP0ERDFtv31VdC0UcVaaGJ8BuO9ZD2g==
        -----END PUBLIC KEY-----
        """;

    private static readonly ListName Eu = ListName.Parse("eu");
    private static readonly DateTimeOffset Published = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private static readonly ListEntry Host = ListEntry.Create("evil.example/", EntryScope.Host, "csam");
    private static readonly ListEntry Exact = ListEntry.Create("bad.example/photos/1.jpg", EntryScope.Exact, "csam");

    private readonly string _protocol = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "protocol.md")).ReplaceLineEndings("\n");

    [Fact]
    public void Every_value_of_the_worked_example_is_in_the_document()
    {
        var missing = ExampleValues().Where(value => !_protocol.Contains(value, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/protocol.md lacks:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void The_example_manifest_and_checkpoint_in_the_document_parse_and_agree()
    {
        var state = ListState.FromEntries(Eu, 1, [Host, Exact]).Value;
        var manifest = Manifest.FromJson(Encoding.UTF8.GetBytes(JsonBlockAfter("example-manifest"))).Value;
        Assert.Equal(state.StateHash, manifest.StateHash);
        Assert.Equal(2, manifest.EntryCount);
        Assert.Equal(KeyId, manifest.KeyId);
        Assert.Equal(Convert.ToHexStringLower(Root), manifest.Log.RootHash);

        var checkpoint = Checkpoint.FromJson(Encoding.UTF8.GetBytes(JsonBlockAfter("example-checkpoint"))).Value;
        Assert.Equal(2, checkpoint.Size);
        Assert.Equal(Convert.ToHexStringLower(Root), checkpoint.RootHash);
    }

    private static string KeyId => PublicKeys.KeyIdOf(PublicKeys.SpkiFromPem(ExamplePublicKeyPem).Value);

    private static LogLeaf[] Leaves =>
    [
        Leaf(Host, "NL-2026-0042"),
        Leaf(Exact, "NL-2026-0043"),
    ];

    private static byte[] Root => MerkleTree.Root(Leaves.Select(l => l.LeafHash()).ToList());

    private static LogLeaf Leaf(ListEntry entry, string reference) => new()
    {
        Kind = LogLeafKind.Add,
        List = Eu,
        Version = 1,
        EntryId = entry.Id,
        Expression = entry.Expression,
        Scope = entry.Scope,
        Category = entry.Category,
        Hotline = "hotline-nl",
        Reference = reference,
        VerifiedAt = new DateTimeOffset(2026, 11, 21, 15, 30, 0, TimeSpan.Zero),
        VerifiedBy = ["analyst-7"],
        Submission = "4b1f0c2e9d",
        PublishedAt = Published,
    };

    private static IEnumerable<string> ExampleValues()
    {
        yield return KeyId;
        foreach (var entry in new[] { Host, Exact })
        {
            yield return entry.Id.Hex;
            var lanes = new ushort[LtHash16.LaneCount];
            LtHash16.ExpandInto(Convert.FromHexString(entry.Id.Hex), lanes);
            yield return $"lanes[0..3] = {lanes[0]}, {lanes[1]}, {lanes[2]}, {lanes[3]}";
        }

        var state = ListState.FromEntries(Eu, 1, [Host, Exact]).Value;
        var bytes = state.Checksum.ToBytes();
        yield return $"checksum[0..3] = {BinaryPrimitives.ReadUInt16LittleEndian(bytes)}, {BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(2))}, {BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4))}, {BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6))}";
        yield return $"first checksum bytes: {Convert.ToHexStringLower(bytes.AsSpan(0, 8))}";
        yield return state.StateHash;
        yield return LtHash16.EmptyStateHash;

        yield return Encoding.UTF8.GetString(Delta.Between(ListState.Empty(Eu), state).ToJson());
        yield return Encoding.UTF8.GetString(state.ToSnapshot().ToJson());

        var leafHashes = Leaves.Select(l => l.LeafHash()).ToList();
        yield return Encoding.UTF8.GetString(Leaves[0].ToJson());
        yield return Convert.ToHexStringLower(leafHashes[0]);
        yield return Convert.ToHexStringLower(leafHashes[1]);
        yield return Convert.ToHexStringLower(Root);
    }

    private string JsonBlockAfter(string marker)
    {
        var at = _protocol.IndexOf($"<!-- {marker} -->", StringComparison.Ordinal);
        Assert.True(at >= 0, $"marker {marker} missing");
        var start = _protocol.IndexOf("```json\n", at, StringComparison.Ordinal) + 8;
        var end = _protocol.IndexOf("\n```", start, StringComparison.Ordinal);
        return _protocol[start..end];
    }
}
