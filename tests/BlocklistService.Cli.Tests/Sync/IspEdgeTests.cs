using System.Text.RegularExpressions;
using BlocklistService.Cli.Configuration;
using BlocklistService.Testing;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Sync;

/// <summary>
/// What an ISP meets around sync: the RPZ stop-page addresses on the sync command line, files readable only by their
/// owner (or by the resolver's group), log lines a daemon's reader can place in time, and the pinned keys in
/// <c>blocklist config</c>.
/// </summary>
public sealed partial class IspEdgeTests : FeedHome
{
    [Fact]
    public async Task Sync_takes_stop_page_addresses_and_writes_the_state_and_the_exports_for_their_owner_only()
    {
        Feed.Publish([Host("evil.example")], snapshot: true);

        var sync = await SyncAsync("--export", "rpz", "--export", "squid", "--stop-page-address", "192.0.2.10", "--stop-page-address", "2001:db8::10");

        Assert.True(sync.ExitCode == 0, sync.ToString());
        var zone = await File.ReadAllTextAsync(Path.Combine(StateDir, "eu", "exports", "blocklist.rpz"));
        Assert.Contains("evil.example A 192.0.2.10", zone, StringComparison.Ordinal);
        Assert.Contains("evil.example AAAA 2001:db8::10", zone, StringComparison.Ordinal);
        Assert.DoesNotContain("CNAME", zone, StringComparison.Ordinal);
        var owned = new[] { "state.bin", "manifest.json", "manifest.json.sig", "sync.json", "exports/blocklist.rpz", "exports/squid-domains.txt", "exports/squid-urls.txt" };
        foreach (var file in owned)
        {
            Assert.True(
                File.GetUnixFileMode(Path.Combine(StateDir, "eu", file)) == (UnixFileMode.UserRead | UnixFileMode.UserWrite),
                $"{file} is {File.GetUnixFileMode(Path.Combine(StateDir, "eu", file))}");
        }
    }

    [Fact]
    public async Task With_an_export_group_the_exports_are_0640_for_it_and_the_way_to_them_opens_for_that_group_only()
    {
        Feed.Publish([Host("evil.example")], snapshot: true);
        Directory.CreateDirectory(StateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(StateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var sync = await SyncAsync("--export", "rpz", "--export-group", "daemon");

        Assert.True(sync.ExitCode == 0, sync.ToString());
        Assert.Equal("640 daemon", await StatAsync(Path.Combine(StateDir, "eu", "exports", "blocklist.rpz")));
        Assert.Equal("600", (await StatAsync(Path.Combine(StateDir, "eu", "state.bin"))).Split(' ')[0]);
        Assert.Equal("710 daemon", await StatAsync(StateDir));
        Assert.EndsWith(" daemon", await StatAsync(Path.Combine(StateDir, "eu", "exports")), StringComparison.Ordinal);

        var unknown = await SyncAsync("--export", "rpz", "--export-group", "no-such-group-here");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("unknown-group", unknown.Json().GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("8:12345")]
    public async Task Daemon_lines_carry_an_rfc3339_time_or_under_systemd_a_journald_priority(string? journalStream)
    {
        Feed.Publish([Host("evil.example")], snapshot: true);
        var output = new StringWriter();
        var error = new StringWriter();
        var variables = new Dictionary<string, string?> { ["JOURNAL_STREAM"] = journalStream };
        var synchronizedOutput = TextWriter.Synchronized(output);
        var environment = new CliEnvironment(synchronizedOutput, TextWriter.Synchronized(error), name => variables.GetValueOrDefault(name), Home.Path, TimeProvider.System, IsInteractive: false);
        using var stop = new CancellationTokenSource();

        var daemon = BlocklistCli.RunAsync(["sync", "--list", "eu", "--api-url", Server.BaseUri.ToString(), "--state-dir", StateDir, "--trusted-key", Home.File("service.pem")], environment, stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Lines(synchronizedOutput, output).Any(l => l.Contains("updated from version 0 to 1", StringComparison.Ordinal)) && DateTime.UtcNow < deadline && !daemon.IsCompleted)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        Assert.Equal(0, await daemon);

        var lines = Lines(synchronizedOutput, output);
        Assert.True(lines.Count >= 3, output.ToString() + error);
        Assert.Contains(lines, l => l.Contains("updated from version 0 to 1", StringComparison.Ordinal));
        Assert.All(lines, line => Assert.Matches(journalStream is null ? Rfc3339Line() : JournalLine(), line));
    }

    [Fact]
    public async Task Config_shows_the_pinned_keys_and_where_they_came_from()
    {
        var keyId = new string('a', 64);
        var run = await CliRun.RunAsync(Home.Path, new Dictionary<string, string> { ["BLOCKLIST_TRUSTED_KEYS"] = keyId + "," + Home.File("service.pem") }, "config", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var trusted = run.Json().GetProperty("settings").GetProperty("trustedKeys");
        Assert.Equal([keyId, Home.File("service.pem")], trusted.GetProperty("value").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("environment", trusted.GetProperty("source").GetString());
        var text = await CliRun.RunAsync(Home.Path, new Dictionary<string, string> { ["BLOCKLIST_TRUSTED_KEYS"] = keyId }, "config");
        Assert.Contains("trustedKeys", text.Output, StringComparison.Ordinal);
        Assert.Contains(keyId, text.Output, StringComparison.Ordinal);
    }

    private Task<CliRun> SyncAsync(params string[] options) =>
        CliRun.RunAsync(Home.Path, null, ["sync", "--once", "--now", "--list", "eu", "--api-url", Server.BaseUri.ToString(), "--state-dir", StateDir, "--trusted-key", Home.File("service.pem"), .. options, "--json"]);

    private static async Task<string> StatAsync(string path)
    {
        var stat = await ProcessRunner.RunAsync("stat", ["-c", "%a %G", path]);
        Assert.True(stat.ExitCode == 0, stat.ToString());
        return stat.StandardOutput.Trim();
    }

    /// <summary>The lines written so far; the synchronized writer's lock keeps a write from running meanwhile.</summary>
    private static List<string> Lines(TextWriter synchronizedWriter, StringWriter writer)
    {
        lock (synchronizedWriter)
        {
            return writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S")]
    private static partial Regex Rfc3339Line();

    [GeneratedRegex(@"^<[36]>\S")]
    private static partial Regex JournalLine();
}
