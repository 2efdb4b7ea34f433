using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BlocklistService.Testing;

namespace BlocklistService.Cli.Tests.EndToEnd;

/// <summary>
/// The hashed feed with nothing stubbed: the real server over Azurite publishes both feeds; an ISP key entitled to the
/// hashed feed is refused the plain artifacts, syncs the hashed one with <c>blocklist sync --feed hashed</c>, and its
/// state directory holds no listed name; a real Squid asks <c>blocklist squid-helper</c> about every request and sends
/// blocked URLs, path prefixes and hosts to the stop page; a real Unbound with the resolver plugin answers NXDOMAIN (or
/// the stop page's address) for listed hosts and their subdomains; both pick up the next version sync commits.
/// </summary>
public sealed class HashedFeedEndToEndTests : IAsyncLifetime
{
    private const string StopPage = "http://stop.test/stop?list=eu";

    private const string Upstream = """
          module-config: "iterator"
          local-zone: "test." static
          local-data: "evil.test. 300 IN A 192.0.2.66"
          local-data: "www.evil.test. 300 IN A 192.0.2.67"
          local-data: "good.test. 300 IN A 192.0.2.1"
          local-data: "pics.test. 300 IN A 192.0.2.3"
          local-data: "later.test. 300 IN A 192.0.2.9"
          local-data: "cdn.later.test. 300 IN A 192.0.2.10"
        """;

    private static readonly string[] Hosts = ["evil.test", "www.evil.test", "good.test", "pics.test", "later.test", "cdn.later.test"];

    /// <summary>Every expression listed in this test, and the hosts alone: none may appear in a hashed client's files.</summary>
    private static readonly string[] Listed = ["evil.test/", "good.test/abuse/", "pics.test/gallery/1.jpg", "later.test/", "evil.test", "later.test", "pics.test/gallery"];

    private EndToEndWorld _world = null!;

    private string StateDirectory => _world.StateDirectory;

    public async Task InitializeAsync() => _world = await EndToEndWorld.StartAsync(prepareHome: home =>
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home, (UnixFileMode)0b111_101_101); // Squid's helper runs as the proxy user
        }
    });

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [HashedFeedFact]
    public async Task A_hashed_key_syncs_ids_only_and_squid_and_unbound_block_from_them_across_versions()
    {
        var hotline = await _world.IssueKeyAsync("--role", "hotline", "--organisation", "hotline-nl");
        var hashedIsp = await _world.IssueKeyAsync("--role", "isp", "--organisation", "isp-filtering", "--lists", "eu", "--feed", "hashed");
        var plainIsp = await _world.IssueKeyAsync("--role", "isp", "--organisation", "isp-example", "--lists", "eu");
        var keys = await _world.CliAsync(_world.AdminKey, "keys", "list", "--json");
        Assert.Equal(
            ["hashed", "plain"],
            keys.Json().GetProperty("keys").EnumerateArray().Where(k => k.GetProperty("role").GetString() == "isp").Select(k => k.GetProperty("feed").GetString()).Order());

        await SubmitAsync(hotline, "adds.csv", """
            add,http://evil.test/,host,eu,csam,NL-1,{0},analyst-1;analyst-2
            add,https://good.test/abuse/,path,eu,csam,NL-2,{0},analyst-1;analyst-3
            add,http://pics.test/gallery/1.jpg,exact,eu,csam,NL-3,{0},analyst-2;analyst-3
            """);
        await PublishAsync(1);

        // the hashed key is refused every plain artifact, gets the hashed feed; a plain key may read both
        using (var hashedClient = _world.Service.Client(hashedIsp))
        {
            foreach (var path in new[] { "updates?since=0", "manifest", "artifacts/v/1/delta.json.gz", "artifacts/v/1/snapshot.json.gz", "artifacts/manifest.json.sig" })
            {
                using var refused = await hashedClient.GetAsync($"api/v1/lists/eu/{path}");
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                Assert.Equal("urn:blocklist:problem:feed-not-allowed", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
            }

            using var updates = await hashedClient.GetAsync("api/v1/lists/eu/hashed/updates?since=0");
            Assert.Equal(HttpStatusCode.OK, updates.StatusCode);
            var steps = JsonDocument.Parse(await updates.Content.ReadAsStringAsync()).RootElement.GetProperty("steps");
            Assert.Equal("/api/v1/lists/eu/hashed/artifacts/v/1/snapshot.json.gz", steps[0].GetProperty("url").GetString());

            // the hashed manifest is signed like every artifact: openssl verifies it against the service's key
            var manifest = _world.Home.File("hashed-manifest.json");
            await File.WriteAllBytesAsync(manifest, await hashedClient.GetByteArrayAsync("api/v1/lists/eu/hashed/manifest"));
            await File.WriteAllBytesAsync(manifest + ".sig", await hashedClient.GetByteArrayAsync("api/v1/lists/eu/hashed/artifacts/manifest.json.sig"));
            var verify = await ProcessRunner.RunAsync("openssl", ["dgst", "-sha256", "-verify", _world.PublicKeyPath, "-signature", manifest + ".sig", manifest]);
            Assert.True(verify.ExitCode == 0, verify.ToString());
            Assert.Contains("\"format\":\"blocklist-hashed-manifest/1\"", await File.ReadAllTextAsync(manifest));
        }

        using (var plainClient = _world.Service.Client(plainIsp))
        using (var hashedForPlain = await plainClient.GetAsync("api/v1/lists/eu/hashed/manifest"))
        {
            Assert.Equal(HttpStatusCode.OK, hashedForPlain.StatusCode);
        }

        // a plain sync with the hashed key is refused; the hashed sync holds ids with scope and category only
        var plainSync = await _world.CliAsync(hashedIsp, "sync", "--list", "eu", "--once", "--now", "--trusted-key", _world.PublicKeyPath, "--json");
        Assert.Equal(1, plainSync.ExitCode);
        Assert.Contains("entitled to the hashed feed only", plainSync.Output);
        await SyncHashedAsync(hashedIsp, version: 1, entries: 3);
        AssertNoListedNameIn(StateDirectory);
        var check = await _world.CliAsync(null, "check", "http://www.evil.test/any/page.html", "--list", "eu", "--json");
        Assert.True(check.ExitCode == ExitCodes.Blocked, check.ToString());

        await using var origin = await OriginServer.StartAsync(_world.Home.Path);
        var helper = $"/usr/bin/dotnet {typeof(BlocklistCli).Assembly.Location} squid-helper --list eu --state-dir {StateDirectory} --reload-check 0.2";
        await using var squid = await SquidProxy.StartAsync(_world.Home.Path, Hosts, $"""
            external_acl_type blocklist ttl=0 negative_ttl=0 children-max=1 children-startup=1 concurrency=50 %URI {helper}
            acl blocked external blocklist
            deny_info 302:{StopPage} blocked
            http_access deny blocked
            """, $"http://good.test:{origin.Port}/ready");
        await using var upstream = await UnboundResolver.StartAsync(_world.Home.Path, "upstream", Upstream, string.Empty, "good.test");
        var state = Path.Combine(StateDirectory, "eu", "state.bin");
        await using var resolver = await ResolverPlugin.StartAsync(_world.Home.Path, "plugin", upstream.Port, $"state = {state}\nreload-check = 0.2\n", "good.test");
        await using var stopResolver = await ResolverPlugin.StartAsync(_world.Home.Path, "plugin-stop", upstream.Port, $"state = {state}\nstop-a = 192.0.2.80\nttl = 60\n", "good.test");

        using (var proxy = squid.Client())
        {
            await AssertStoppedAsync(proxy, $"http://pics.test:{origin.Port}/gallery/1.jpg", squid);       // the URL
            await AssertStoppedAsync(proxy, $"http://good.test:{origin.Port}/abuse/2024/x.html", squid);    // under the path
            await AssertStoppedAsync(proxy, $"http://www.evil.test:{origin.Port}/any/page", squid);         // on the host
            await AssertOriginAsync(proxy, $"http://pics.test:{origin.Port}/gallery/2.jpg");
            await AssertOriginAsync(proxy, $"http://good.test:{origin.Port}/about/");
        }

        Assert.Equal("NXDOMAIN", (await resolver.QueryAsync("evil.test")).Status);
        Assert.Equal("NXDOMAIN", (await resolver.QueryAsync("www.evil.test")).Status);
        Assert.Equal(["good.test. A 192.0.2.1"], (await resolver.QueryAsync("good.test")).Records);
        Assert.Equal(["pics.test. A 192.0.2.3"], (await resolver.QueryAsync("pics.test")).Records); // URL-level entries stay out of DNS
        Assert.Equal(["www.evil.test. A 192.0.2.80"], (await stopResolver.QueryAsync("www.evil.test")).Records);
        Assert.Equal(["good.test. A 192.0.2.1"], (await stopResolver.QueryAsync("good.test")).Records);

        // version 2: evil.test withdrawn, later.test listed; sync applies the hashed delta and both filters switch over
        await SubmitAsync(hotline, "changes.csv", """
            remove,http://evil.test/,host,eu,,,,
            add,http://later.test/,host,eu,csam,NL-4,{0},analyst-1;analyst-2
            """);
        await PublishAsync(2);
        await SyncHashedAsync(hashedIsp, version: 2, entries: 3);
        AssertNoListedNameIn(StateDirectory);
        using (var proxy = squid.Client())
        {
            await Eventually(async () => (await proxy.GetAsync($"http://cdn.later.test:{origin.Port}/x")).StatusCode == HttpStatusCode.Found, squid);
            await AssertStoppedAsync(proxy, $"http://later.test:{origin.Port}/", squid);
            await AssertOriginAsync(proxy, $"http://www.evil.test:{origin.Port}/any/page");
        }

        await Eventually(async () => (await resolver.QueryAsync("cdn.later.test")).Status == "NXDOMAIN", squid);
        Assert.Equal("NXDOMAIN", (await resolver.QueryAsync("later.test")).Status);
        Assert.Contains("switched from version 1 to version 2", squid.Log);
    }

    private static void AssertNoListedNameIn(string directory)
    {
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var name in Listed)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(name)) < 0, $"{file} contains '{name}'");
            }
        }
    }

    private static async Task AssertStoppedAsync(HttpClient proxy, string url, SquidProxy squid)
    {
        using var response = await proxy.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.Found, $"{url}: {(int)response.StatusCode}\n{squid.Log}");
        Assert.Equal(StopPage, response.Headers.Location?.ToString());
    }

    private static async Task AssertOriginAsync(HttpClient proxy, string url)
    {
        using var response = await proxy.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("origin page for " + new Uri(url).PathAndQuery, await response.Content.ReadAsStringAsync());
    }

    private static async Task Eventually(Func<Task<bool>> condition, SquidProxy squid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the new version was not in force within 20 s\n" + squid.Log);
            await Task.Delay(200);
        }
    }

    private async Task SyncHashedAsync(string key, long version, int entries)
    {
        // Squid runs its helper as the proxy user: the hashed state is made readable to that group
        var run = await _world.CliAsync(key, "sync", "--list", "eu", "--feed", "hashed", "--export-group", "proxy", "--once", "--now", "--trusted-key", _world.PublicKeyPath, "--json");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("updated", run.Json().GetProperty("outcome").GetString());
        Assert.Equal(version, run.Json().GetProperty("version").GetInt64());
        Assert.Equal(entries, run.Json().GetProperty("entries").GetInt32());
    }

    /// <summary>Submits <paramref name="rows"/> with <c>{0}</c> standing for a verification an hour ago.</summary>
    private async Task SubmitAsync(string hotline, string name, string rows) =>
        await _world.SubmitAsync(hotline, name, string.Format(CultureInfo.InvariantCulture, rows, EndToEndWorld.Timestamp(DateTimeOffset.UtcNow.AddHours(-1))));

    private async Task PublishAsync(long expectedVersion) => Assert.Equal(expectedVersion, (await _world.PublishAsync())["eu"].Version);
}
