using System.Text;
using BlocklistService.Cli.Proxy;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Proxy;

/// <summary>A state of the hashed feed: no expression on disk, exports refused, check and squid-helper answer from ids.</summary>
public sealed class HashedStateTests
{
    private static readonly ListEntry[] Listed =
    [
        Host("dedicated-abuse.example"),
        UnderPath("mixed-host.example/gallery/"),
        Exact("files.example/a/b.jpg?id=7"),
    ];

    internal static async Task<string> WriteHashedAsync(string stateDir, long version, params ListEntry[] entries)
    {
        var store = new LocalStateStore(stateDir);
        await store.WriteAsync(ListAt(version, entries) with { Feed = ListFeed.Hashed }, CancellationToken.None);
        return store.StatePath(ListName.Parse("eu"));
    }

    private static Dictionary<string, string> StateDir(string path) => new() { ["BLOCKLIST_STATE_DIR"] = path };

    [Fact]
    public async Task A_hashed_state_file_holds_no_listed_expression_and_reads_back_as_hashed()
    {
        using var home = TempDirectory();
        var path = await WriteHashedAsync(home.Path, 4, Listed);

        var bytes = await File.ReadAllBytesAsync(path);
        foreach (var entry in Listed)
        {
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(entry.Expression)));
        }

        var header = new LocalStateStore(home.Path).ReadHeader(ListName.Parse("eu"));
        Assert.Equal(ListFeed.Hashed, header.Feed);
        Assert.Equal(LtHash16.Of(Listed.Select(e => e.Id)).StateHash, header.StateHash);
        var read = (await new LocalStateStore(home.Path).ReadAsync(ListName.Parse("eu"), CancellationToken.None)).Entries.ToList();
        Assert.Equal(Listed.Select(e => e.Id.Hex).Order(StringComparer.Ordinal), read.Select(e => e.Id.Hex));
        Assert.All(read, e => Assert.Equal(string.Empty, e.Expression));
    }

    [Theory]
    [InlineData("rpz")]
    [InlineData("hosts")]
    [InlineData("squid")]
    [InlineData("plain")]
    [InlineData("json")]
    public async Task Every_export_of_a_hashed_state_is_refused_and_writes_nothing(string format)
    {
        using var home = TempDirectory();
        await WriteHashedAsync(home.Path, 4, Listed);
        var output = home.File("out/");

        var run = await CliRun.RunAsync(home.Path, StateDir(home.Path), "export", "--list", "eu", "--format", format, "--output", output, "--json");

        Assert.True(run.ExitCode == ExitCodes.Failure, run.ToString());
        Assert.Contains("export-needs-names", run.Output + run.Error);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFiles(output).Any());
    }

    [Fact]
    public async Task Sync_of_the_hashed_feed_with_an_export_is_a_usage_error()
    {
        using var home = TempDirectory();
        var run = await CliRun.RunAsync(home.Path, StateDir(home.Path), "sync", "--list", "eu", "--feed", "hashed", "--export", "rpz", "--once",
            "--trusted-key", new string('a', 64), "--api-url", "http://127.0.0.1:9", "--json");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Contains("export-needs-names", run.Output + run.Error);
    }

    [Theory]
    [InlineData("http://dedicated-abuse.example/", true)]
    [InlineData("http://www.dedicated-abuse.example/any/page.html?q=1", true)]
    [InlineData("http://mixed-host.example/gallery/", true)]
    [InlineData("http://mixed-host.example/gallery/2024/img.jpg", true)]
    [InlineData("http://mixed-host.example/about/", false)]
    [InlineData("http://files.example/a/b.jpg?id=7", true)]
    [InlineData("http://files.example/a/b.jpg?id=8", false)]
    [InlineData("http://unrelated.example/", false)]
    public async Task Check_on_a_hashed_state_matches_by_hashing_the_lookup_expressions(string url, bool blocked)
    {
        using var home = TempDirectory();
        await WriteHashedAsync(home.Path, 4, Listed);

        var run = await CliRun.RunAsync(home.Path, StateDir(home.Path), "check", url, "--list", "eu", "--json");

        Assert.True(run.ExitCode == (blocked ? ExitCodes.Blocked : ExitCodes.Ok), run.ToString());
        var json = run.Json();
        Assert.Equal("hashed", json.GetProperty("feed").GetString());
        Assert.Equal(blocked, json.GetProperty("blocked").GetBoolean());
    }

    [Fact]
    public async Task The_squid_helper_answers_channels_OK_for_blocked_and_ERR_for_others_on_hashed_and_plain_states()
    {
        using var hashedHome = TempDirectory();
        using var plainHome = TempDirectory();
        var hashed = await WriteHashedAsync(hashedHome.Path, 4, Listed);
        var plainStore = new LocalStateStore(plainHome.Path);
        await plainStore.WriteAsync(ListAt(4, Listed), CancellationToken.None);

        const string requests = "0 http://www.dedicated-abuse.example/x\n1 http://mixed-host.example/about/\n"
            + "2 http%3A//mixed-host.example/gallery/a%20b.jpg\n3 dedicated-abuse.example:443\n4 unrelated.example:443\n"
            + "5 http://files.example/a/b.jpg?id=7 extra-field\n\n6 not a url\n";
        const string expected = "0 OK\n1 ERR\n2 OK\n3 OK\n4 ERR\n5 OK\nBH message=\"no URL\"\n6 ERR\n";
        foreach (var path in new[] { hashed, plainStore.StatePath(ListName.Parse("eu")) })
        {
            using var live = LiveIdSet.Open(path, ListName.Parse("eu"), TimeSpan.FromSeconds(1), _ => { }, CancellationToken.None);
            var output = new MemoryStream();
            var answered = await new SquidAclHelper(live).RunAsync(new MemoryStream(Encoding.UTF8.GetBytes(requests)), output, CancellationToken.None);

            Assert.Equal(8, answered);
            Assert.Equal(expected, Encoding.UTF8.GetString(output.ToArray()));
        }
    }

    [Fact]
    public async Task The_squid_helper_switches_to_a_committed_version_and_keeps_the_last_good_one_when_the_new_file_is_damaged()
    {
        using var home = TempDirectory();
        var path = await WriteHashedAsync(home.Path, 4, Listed);
        var logged = new List<string>();
        using var live = LiveIdSet.Open(path, ListName.Parse("eu"), TimeSpan.FromSeconds(1), logged.Add, CancellationToken.None);
        var helper = new SquidAclHelper(live);
        Assert.Equal("ERR", helper.Answer("http://newly-listed.example/"));

        await WriteHashedAsync(home.Path, 5, [.. Listed, Host("newly-listed.example")]);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(5));
        Assert.True(live.ReloadIfChanged(CancellationToken.None));
        Assert.Equal(5, live.Current.Header.Version);
        Assert.Equal("OK", helper.Answer("http://newly-listed.example/"));

        var bytes = await File.ReadAllBytesAsync(path);
        bytes[^1] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(10));
        Assert.False(live.ReloadIfChanged(CancellationToken.None));
        Assert.Equal(5, live.Current.Header.Version);
        Assert.Equal("OK", helper.Answer("7 http://newly-listed.example/page")[2..]);
        Assert.Contains(logged, m => m.Contains("cannot be used", StringComparison.Ordinal));
    }
}
