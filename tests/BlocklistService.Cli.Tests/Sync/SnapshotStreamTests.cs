using System.IO.Compression;
using System.Text;
using BlocklistService.Cli.State;
using BlocklistService.Cli.Sync;
using BlocklistService.Domain.Lists;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Sync;

public sealed class SnapshotStreamTests
{
    private static readonly ListName Eu = ListName.Parse("eu");

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(25_000)]
    public async Task A_snapshot_streams_into_the_state_file_written_from_its_entries(int size)
    {
        using var directory = TempDirectory();
        var entries = Enumerable.Range(0, size).Select(i => i % 3 == 0 ? Host($"h{i}.example") : Exact($"site.example/{i}?a=b&c=\"d\"")).ToList();
        var snapshot = Snapshot.Create(Eu, 9, entries);
        var store = new LocalStateStore(directory.Path);
        var path = store.TemporaryStatePath(Eu);

        SnapshotContent content;
        using (var writer = new StateFileWriter(path))
        {
            content = SnapshotStream.Read(snapshot.ToGzip(), writer, CancellationToken.None);
            writer.Finish(new StateFileHeader(Eu, content.Version, content.Count, AppliedAt, null, content.Checksum.ToBytes()));
        }

        await store.WriteAsync(ListAt(9, [.. entries]), CancellationToken.None);
        Assert.Equal((Eu, 9L, (long)size), (content.List, content.Version, content.Count));
        Assert.Equal(LtHash16.StateHashOf(entries.Select(e => e.Id)), content.Checksum.StateHash);
        Assert.Equal(await File.ReadAllBytesAsync(store.StatePath(Eu)), await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public void Escaped_strings_and_any_property_order_are_read_as_the_protocol_parser_reads_them()
    {
        var entry = Exact("site.example/a?b=1&c=2");
        var json = "{\"entries\":[{\"category\":\"c\\u0073am\",\"scope\":\"exact\",\"expression\":\"site.example/a?b=1\\u0026c=2\",\"id\":\"" + entry.Id.Hex + "\"}],\"version\":4,\"list\":\"eu\",\"format\":\"blocklist-snapshot/1\"}";
        Assert.True(Snapshot.FromJson(Encoding.UTF8.GetBytes(json)).IsSuccess);
        using var directory = TempDirectory();
        using var writer = new StateFileWriter(directory.File("s.tmp"));

        var content = SnapshotStream.Read(Gzip(json), writer, CancellationToken.None);
        writer.Finish(new StateFileHeader(Eu, 4, 1, AppliedAt, null, content.Checksum.ToBytes()));

        using var reader = StateFileReader.Open(directory.File("s.tmp"), Eu);
        Assert.Equal([entry], reader.Entries().ToList());
    }

    public static TheoryData<string, string> Malformed
    {
        get
        {
            var a = Host("a.example");
            var b = Host("b.example");
            var (low, high) = string.CompareOrdinal(a.Id.Hex, b.Id.Hex) < 0 ? (a, b) : (b, a);
            string E(Domain.Lists.ListEntry e, string extra = "") => $"{{\"id\":\"{e.Id.Hex}\",\"expression\":\"{e.Expression}\",\"scope\":\"host\",\"category\":\"csam\"{extra}}}";
            string S(string entries, string head = "\"format\":\"blocklist-snapshot/1\",\"list\":\"eu\",\"version\":1,") => $"{{{head}\"entries\":[{entries}]}}";
            return new()
            {
                { S(E(high) + "," + E(low)), "sorted ascending" },
                { S(E(low) + "," + E(low)), "sorted ascending" },
                { S(E(low, ",\"extra\":1")), "extra: unknown property" },
                { S(E(low).Replace("\"scope\":\"host\"", "\"scope\":\"domain\"")), "'domain' is not one of" },
                { S(E(low).Replace(low.Id.Hex, high.Id.Hex)), "is not the SHA-256 of its expression" },
                { S(E(low).Replace(low.Id.Hex, low.Id.Hex.ToUpperInvariant())), "64 lowercase hex" },
                { S(E(low).Replace(",\"category\":\"csam\"", string.Empty)), "category: missing" },
                { S(E(low), "\"format\":\"blocklist-delta/1\",\"list\":\"eu\",\"version\":1,"), "format: expected" },
                { S(E(low), "\"list\":\"eu\",\"version\":1,"), "format: missing" },
                { S(E(low), "\"format\":\"blocklist-snapshot/1\",\"list\":\"eu\",\"list\":\"eu\",\"version\":1,"), "list: appears more than once" },
                { S(E(low), "\"format\":\"blocklist-snapshot/1\",\"list\":\"eu\",\"version\":-1,"), "version: must be a whole number" },
                { S(E(low))[..^5], "not valid JSON" },
                { S(E(low)) + "{}", "not valid JSON" },
            };
        }
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_snapshot_is_refused_naming_the_field(string json, string problem)
    {
        using var directory = TempDirectory();
        using var writer = new StateFileWriter(directory.File("s.tmp"));

        var error = Assert.ThrowsAny<Exception>(() => SnapshotStream.Read(Gzip(json), writer, CancellationToken.None));

        Assert.IsType<SnapshotFormatException>(error);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Bytes_that_are_not_gzip_are_refused()
    {
        using var directory = TempDirectory();
        using var writer = new StateFileWriter(directory.File("s.tmp"));

        var error = Assert.Throws<SnapshotFormatException>(() => SnapshotStream.Read(Encoding.UTF8.GetBytes("{\"format\":\"blocklist-snapshot/1\"}"), writer, CancellationToken.None));

        Assert.Contains("not gzip", error.Message);
    }

    private static byte[] Gzip(string json)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(json));
        }

        return output.ToArray();
    }
}
