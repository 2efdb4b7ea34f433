using BlocklistService.Cli.State;
using BlocklistService.Testing;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>
/// End to end: a list state → the real <c>blocklist export --format rpz</c> process → named-checkzone → a real unbound
/// with the zone as its RPZ, forwarding <c>test.</c> to a second unbound on loopback that plays the authoritative
/// side. Listed hosts and their subdomains are blocked, others resolve; after the entry is removed and the zone
/// re-exported, the host resolves again.
/// </summary>
public sealed class RpzUnboundTests
{
    private const string Upstream = """
          module-config: "iterator"
          local-zone: "test." static
          local-data: "evil.test. 300 IN A 192.0.2.66"
          local-data: "www.evil.test. 300 IN A 192.0.2.67"
          local-data: "deep.sub.evil.test. 300 IN A 192.0.2.68"
          local-data: "good.test. 300 IN A 192.0.2.1"
          local-data: "notevil.test. 300 IN A 192.0.2.2"
          local-data: "stop.test. 300 IN A 192.0.2.80"
        """;

    [UnboundFact]
    public async Task Listed_hosts_get_nxdomain_others_resolve_and_a_removed_host_resolves_again()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(Path.Combine(directory.Path, "state"));
        var zone = Path.Combine(directory.Path, "blocklist.rpz");
        await store.WriteAsync(ListAt(7, Host("evil.test"), Host("other.test"), UnderPath("good.test/abuse/")), CancellationToken.None);
        await ExportAsync(store, zone, expectedSerial: 7);

        await using var upstream = await UnboundResolver.StartAsync(directory.Path, "upstream", Upstream, string.Empty, "good.test");
        await using var resolver = await StartRpzResolverAsync(directory.Path, zone, upstream.Port);

        Assert.Equal(new DigAnswer("NXDOMAIN", []).ToString(), (await resolver.QueryAsync("evil.test")).ToString());
        Assert.Equal("NXDOMAIN", (await resolver.QueryAsync("www.evil.test")).Status);
        Assert.Equal("NXDOMAIN", (await resolver.QueryAsync("deep.sub.evil.test")).Status);
        Assert.Equal(["good.test. A 192.0.2.1"], (await resolver.QueryAsync("good.test")).Records);
        Assert.Equal(["notevil.test. A 192.0.2.2"], (await resolver.QueryAsync("notevil.test")).Records);

        await store.WriteAsync(ListAt(8, Host("other.test"), UnderPath("good.test/abuse/")), CancellationToken.None);
        await ExportAsync(store, zone, expectedSerial: 8);
        await resolver.RestartAsync("good.test");

        Assert.Equal(["evil.test. A 192.0.2.66"], (await resolver.QueryAsync("evil.test")).Records);
        Assert.Equal(["www.evil.test. A 192.0.2.67"], (await resolver.QueryAsync("www.evil.test")).Records);
    }

    [UnboundFact]
    public async Task With_a_stop_page_host_listed_hosts_are_redirected_to_it_by_cname()
    {
        using var directory = TempDirectory();
        var store = new LocalStateStore(Path.Combine(directory.Path, "state"));
        var zone = Path.Combine(directory.Path, "blocklist.rpz");
        await store.WriteAsync(ListAt(3, Host("evil.test")), CancellationToken.None);
        await ExportAsync(store, zone, expectedSerial: 3, "--stop-page-host", "stop.test");

        await using var upstream = await UnboundResolver.StartAsync(directory.Path, "upstream", Upstream, string.Empty, "good.test");
        await using var resolver = await StartRpzResolverAsync(directory.Path, zone, upstream.Port);

        var answer = await resolver.QueryAsync("www.evil.test");
        Assert.Equal("NOERROR", answer.Status);
        Assert.Equal("www.evil.test. CNAME stop.test.", answer.Records[0]);
        Assert.Contains("stop.test. A 192.0.2.80", answer.Records);
        Assert.Equal(["good.test. A 192.0.2.1"], (await resolver.QueryAsync("good.test")).Records);
    }

    private static Task<UnboundResolver> StartRpzResolverAsync(string directory, string zone, int upstreamPort) =>
        UnboundResolver.StartRpzAsync(directory, zone, upstreamPort, "good.test");

    /// <summary>Runs the built CLI as its own process and checks the zone with named-checkzone.</summary>
    private static async Task ExportAsync(LocalStateStore store, string zone, long expectedSerial, params string[] extra)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "blocklist.dll");
        var export = await ProcessRunner.RunAsync(
            "dotnet",
            [cli, "export", "--format", "rpz", "--list", "eu", "--state-dir", store.Root, "--output", zone, "--json", .. extra],
            environment: new Dictionary<string, string?> { ["BLOCKLIST_CONFIG"] = null, ["BLOCKLIST_STOP_PAGE_HOST"] = null, ["BLOCKLIST_STOP_PAGE_ADDRESSES"] = null });
        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Contains("\"format\": \"rpz\"", export.StandardOutput);

        var check = await ProcessRunner.RunAsync("named-checkzone", ["rpz.blocklist.", zone]);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains($"loaded serial {expectedSerial}", check.StandardOutput);
    }
}
