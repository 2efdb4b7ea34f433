using BlocklistService.Cli.State;
using BlocklistService.Cli.Sync;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Sync;

public sealed class DeltaMergeTests
{
    private static readonly ListName Eu = ListName.Parse("eu");
    private static readonly byte[] Manifest = "{\"manifest\":2}"u8.ToArray();

    [Theory]
    [InlineData(1, 400, 60, 50, 10)]
    [InlineData(2, 1000, 1000, 0, 0)]
    [InlineData(3, 50, 0, 200, 0)]
    [InlineData(4, 3000, 300, 300, 40)]
    public async Task A_merged_delta_is_byte_for_byte_the_state_written_from_scratch(int seed, int size, int removes, int adds, int replaces)
    {
        using var directory = TempDirectory();
        var random = new Random(seed);
        var store = new LocalStateStore(Path.Combine(directory.Path, "merged"));
        var initial = Enumerable.Range(0, size).Select(i => Entry(random, i)).DistinctBy(e => e.Id).ToList();
        await store.WriteAsync(ListAt(1, [.. initial]) with { ManifestSha256 = new string('a', 64) }, CancellationToken.None);
        var removed = initial.OrderBy(_ => random.Next()).Take(removes).ToList();
        var replaced = removed.Take(replaces).Select(e => e with { Category = "replaced" }).ToList();
        var added = Enumerable.Range(size, adds).Select(i => Entry(random, i)).Where(e => initial.All(x => x.Id != e.Id)).Concat(replaced).ToList();
        var delta = Delta.Create(Eu, 1, 2, added, removed.Select(e => e.Id));

        var merged = DeltaMerge.Apply(Held(store), delta, Manifest, store.TemporaryStatePath(Eu), AppliedAt, CancellationToken.None);

        var expected = initial.Except(removed).Concat(added).ToList();
        var scratch = new LocalStateStore(Path.Combine(directory.Path, "scratch"));
        await scratch.WriteAsync(ListAt(2, [.. expected]) with { ManifestSha256 = merged.List.ManifestSha256 }, CancellationToken.None);
        Assert.Equal(await File.ReadAllBytesAsync(scratch.StatePath(Eu)), await File.ReadAllBytesAsync(merged.List.EntriesPath!));
        Assert.Equal(LtHash16.StateHashOf(expected.Select(e => e.Id)), merged.List.Checksum.StateHash);
        Assert.Equal(expected.Count, merged.List.Count);
        Assert.Equal(removed.Select(e => e.Id.Hex).Order(), merged.Removed.Select(e => e.Id.Hex).Order());
        Assert.Equal(added.Count, merged.Added.Count);
    }

    [Fact]
    public void A_delta_onto_nothing_writes_its_adds()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        var delta = Delta.Create(Eu, 0, 1, [Host("b.example"), Host("a.example")], []);

        var merged = DeltaMerge.Apply(HeldList.Empty(Eu), delta, Manifest, store.TemporaryStatePath(Eu), AppliedAt, CancellationToken.None);

        using var reader = StateFileReader.Open(merged.List.EntriesPath!, Eu);
        Assert.Equal(delta.Adds.OrderBy(e => e.Id.Hex, StringComparer.Ordinal), reader.Entries().ToList());
        Assert.Equal(1, reader.Header.Version);
    }

    public static TheoryData<string, string> Mismatches => new()
    {
        { "remove-absent", "which is not listed" },
        { "remove-absent-after-all", "which is not listed" },
        { "add-present", "which is already listed" },
        { "from-version", "applies to version 4, the list is at version 1" },
    };

    [Theory]
    [MemberData(nameof(Mismatches))]
    public async Task A_delta_that_does_not_fit_is_refused_and_leaves_no_file(string kind, string message)
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        await store.WriteAsync(ListAt(1, Host("a.example"), Host("m.example")), CancellationToken.None);
        var before = await File.ReadAllBytesAsync(store.StatePath(Eu));
        var absent = new[] { Host("0.example"), Host("z.example") }.MaxBy(e => e.Id.Hex)!;
        var delta = kind switch
        {
            "remove-absent" => Delta.Create(Eu, 1, 2, [], [Host("b.example").Id]),
            "remove-absent-after-all" => Delta.Create(Eu, 1, 2, [], [absent.Id, Host("a.example").Id]),
            "add-present" => Delta.Create(Eu, 1, 2, [Host("m.example")], []),
            _ => Delta.Create(Eu, 4, 5, [], []),
        };
        var output = store.TemporaryStatePath(Eu);

        var error = Assert.Throws<DeltaMismatchException>(() => DeltaMerge.Apply(Held(store), delta, Manifest, output, AppliedAt, CancellationToken.None));

        Assert.Contains(message, error.Message);
        Assert.False(File.Exists(output));
        Assert.Equal(before, await File.ReadAllBytesAsync(store.StatePath(Eu)));
    }

    [Fact]
    public async Task A_damaged_state_file_is_detected_by_the_merge_before_anything_is_kept()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(directory.Path);
        await store.WriteAsync(ListAt(1, Host("a.example"), Host("m.example")), CancellationToken.None);
        var bytes = await File.ReadAllBytesAsync(store.StatePath(Eu));
        bytes[^3] ^= 0x20;
        await File.WriteAllBytesAsync(store.StatePath(Eu), bytes);
        var output = store.TemporaryStatePath(Eu);

        var error = Assert.Throws<CliException>(() => DeltaMerge.Apply(Held(store), Delta.Create(Eu, 1, 2, [Host("b.example")], []), Manifest, output, AppliedAt, CancellationToken.None));

        Assert.Equal("state-invalid", error.Code);
        Assert.False(File.Exists(output));
    }

    private static HeldList Held(LocalStateStore store) => HeldList.FromState(store.ReadHeader(Eu), store.StatePath(Eu), null);

    private static ListEntry Entry(Random random, int i) => random.Next(4) switch
    {
        0 => Host($"h{i}.example"),
        1 => UnderPath($"site{i % 7}.example/p{i}/"),
        2 => Exact($"site.example/x?a={i}&b=é"),
        _ => Host($"192.0.2.{i % 250}"),
    };
}
