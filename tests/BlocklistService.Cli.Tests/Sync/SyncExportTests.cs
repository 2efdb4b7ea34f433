using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Sync;

/// <summary>
/// The exports sync keeps (merged with each delta where the format allows, rewritten otherwise) must always be the
/// bytes <c>blocklist export</c> writes from scratch for the same state.
/// </summary>
public sealed class SyncExportTests : FeedHome
{
    private static readonly string[] Formats = ["rpz", "hosts", "plain", "json", "squid"];

    [Fact]
    public async Task After_a_snapshot_one_delta_two_deltas_and_an_edited_export_every_export_equals_a_fresh_one()
    {
        var entries = Enumerable.Range(0, 200).Select(Entry).ToList();
        Feed.Publish(entries, snapshot: true);
        var merged1 = await SyncAndCompareAsync(1);
        Assert.Equal(new[] { false, false, false, false, false }, merged1);

        Feed.Publish([Host("new-1.example"), Exact("site.example/new?x=1&y=2"), Host("192.0.2.77")], entries.Take(30).Select(e => e.Id));
        var merged2 = await SyncAndCompareAsync(2);
        Assert.Equal(new[] { true, true, true, true, false }, merged2);

        Feed.Publish([Host("new-2.example")], [Host("new-1.example").Id]);
        Feed.Publish([Host("new-3.example"), entries[40] with { Category = "re-verified" }], [entries[40].Id, entries[41].Id]);
        var merged4 = await SyncAndCompareAsync(4);
        Assert.Equal(new[] { false, false, false, false, false }, merged4);

        var rpz = Path.Combine(StateDir, "eu", "exports", "blocklist.rpz");
        await File.AppendAllTextAsync(rpz, "; edited by hand\n");
        var hosts = Path.Combine(StateDir, "eu", "exports", "hosts");
        var text = await File.ReadAllTextAsync(hosts);
        await File.WriteAllTextAsync(hosts, text.Replace("new-3.example", "new-9.example"));
        File.SetLastWriteTimeUtc(hosts, File.GetLastWriteTimeUtc(rpz));
        Feed.Publish([Host("new-4.example")], [Host("new-2.example").Id]);
        var merged5 = await SyncAndCompareAsync(5);
        Assert.Equal(new[] { false, false, true, true, false }, merged5);
    }

    /// <summary>Syncs, compares every export with a fresh one, and says per format whether it was merged.</summary>
    private async Task<bool[]> SyncAndCompareAsync(long version)
    {
        var sync = await CliRun.RunAsync(Home.Path, null, ["sync", "--once", "--now", "--list", "eu", "--api-url", Server.BaseUri.ToString(), "--state-dir", StateDir, "--trusted-key", Home.File("service.pem"), .. Formats.SelectMany(f => new[] { "--export", f }), "--json"]);
        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.Equal(version, sync.Json().GetProperty("version").GetInt64());
        var state = await new LocalStateStore(StateDir).ReadAsync(Feed.List, CancellationToken.None);
        Assert.Equal(version, state.Version);
        Assert.Equal(Feed.Files[ArtifactPaths.Manifest(Feed.List, version)].Length, (await File.ReadAllBytesAsync(Path.Combine(StateDir, "eu", "manifest.json"))).Length);

        foreach (var format in Formats)
        {
            var fresh = Path.Combine(Home.Path, $"fresh-{version}-{format}") + "/";
            Directory.CreateDirectory(fresh);
            var export = await CliRun.RunAsync(Home.Path, null, "export", "--format", format, "--list", "eu", "--state-dir", StateDir, "--output", fresh, "--json");
            Assert.True(export.ExitCode == 0, export.ToString());
            foreach (var file in Directory.EnumerateFiles(fresh))
            {
                var synced = Path.Combine(StateDir, "eu", "exports", Path.GetFileName(file));
                // The squid files name their own paths in the squid.conf example of their header.
                var expected = (await File.ReadAllTextAsync(file)).Replace(fresh, Path.Combine(StateDir, "eu", "exports") + "/");
                var actual = await File.ReadAllTextAsync(synced);
                Assert.True(expected == actual, $"{format} export {Path.GetFileName(file)} at version {version} differs from a fresh export");
            }
        }

        return sync.Json().GetProperty("exports").EnumerateArray().Select(e => e.GetProperty("merged").GetBoolean()).ToArray();
    }

    private static ListEntry Entry(int i) => (i % 5) switch
    {
        0 or 1 => Host($"h{i}.example"),
        2 => UnderPath($"site{i % 7}.example/p{i}/"),
        3 => Exact($"site.example/x?a={i}&b=<c>"),
        _ => Host($"sub{i}.h{i - 4}.example"),
    };
}
