using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using BlocklistService.Cli.Tests.EndToEnd;
using BlocklistService.Testing;

namespace BlocklistService.Cli.Tests.Packaging;

/// <summary>
/// The Debian package from <c>tools/package-cli</c>, installed with <c>dpkg -i</c>: what it puts where and with which
/// modes, the executable running with no .NET on the PATH, the systemd unit passing <c>systemd-analyze verify</c>, and
/// the installed single-file executable syncing a list from the real service as the package's system user.
/// </summary>
public sealed partial class DebianPackageTests(InstalledPackage package) : IClassFixture<InstalledPackage>
{
    [PackageFact]
    public async Task The_package_installs_the_executable_a_system_user_its_state_directory_the_config_and_the_unit()
    {
        Assert.Equal("755 root root", await StatAsync(InstalledPackage.Executable));
        // 0700 as installed; the README's steps (another test) open it to 0710 for Unbound's group, never more
        Assert.Matches("^7[01]0 blocklist ", await StatAsync("/var/lib/blocklist"));
        Assert.Equal("640 root blocklist", await StatAsync("/etc/blocklist/config.json"));
        Assert.Equal("644 root root", await StatAsync("/lib/systemd/system/blocklist-sync@.service"));
        var user = await ProcessRunner.RunAsync("getent", ["passwd", "blocklist"]);
        Assert.True(user.ExitCode == 0, user.ToString());
        Assert.EndsWith(":/var/lib/blocklist:/usr/sbin/nologin", user.StandardOutput.Trim(), StringComparison.Ordinal);
        Assert.True(int.Parse(user.StandardOutput.Split(':')[2], CultureInfo.InvariantCulture) < 1000, "a system user");

        // the hashed feed's Unbound plugin where docs/hashed-feed.md points unbound.conf, as it is in the repository
        Assert.Equal("644 root root", await StatAsync("/usr/share/blocklist/blocklist_unbound.py"));
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Root, "tools", "resolver", "blocklist_unbound.py")),
            await File.ReadAllBytesAsync("/usr/share/blocklist/blocklist_unbound.py"));

        var contents = await ProcessRunner.RunAsync("dpkg-deb", ["--contents", package.DebPath]);
        Assert.Contains("./etc/blocklist/config.json", contents.StandardOutput, StringComparison.Ordinal);
        var conffiles = await ProcessRunner.RunAsync("dpkg-deb", ["--ctrl-tarfile", package.DebPath]);
        Assert.True(conffiles.ExitCode == 0, conffiles.ToString());

        // the installed config is one blocklist reads as it is: the state directory set, nothing else yet
        var config = await InstalledPackage.RunAsync(["config", "--json"], new Dictionary<string, string?> { ["BLOCKLIST_CONFIG"] = "/etc/blocklist/config.json" });
        Assert.True(config.ExitCode == 0, config.ToString());
        Assert.Equal("/var/lib/blocklist", JsonDocument.Parse(config.StandardOutput).RootElement.GetProperty("settings").GetProperty("stateDir").GetProperty("value").GetString());
    }

    [PackageFact]
    public async Task The_installed_executable_runs_without_dotnet_on_the_path_and_prints_its_version_and_commit()
    {
        var noDotnet = await ProcessRunner.RunAsync("/bin/sh", ["-c", "command -v dotnet || echo none"], environment: new Dictionary<string, string?> { ["PATH"] = InstalledPackage.NoDotnetDirectory });
        Assert.Equal("none", noDotnet.StandardOutput.Trim());

        var version = await InstalledPackage.RunAsync(["--version"]);

        Assert.True(version.ExitCode == 0, version.ToString());
        var commit = (await ProcessRunner.RunAsync("git", ["rev-parse", "--short=12", "HEAD"])).StandardOutput.Trim();
        Assert.Matches(VersionLine(), version.StandardOutput.Trim());
        Assert.Contains(commit, version.StandardOutput, StringComparison.Ordinal);
        var packaged = await ProcessRunner.RunAsync("dpkg-query", ["-W", "-f", "${Version}", "blocklist"]);
        Assert.StartsWith(packaged.StandardOutput.Trim() + "+", version.StandardOutput.Trim(), StringComparison.Ordinal);
    }

    [PackageFact]
    public async Task The_sync_unit_passes_systemd_analyze_verify_with_its_hardening()
    {
        var unit = await File.ReadAllTextAsync("/lib/systemd/system/blocklist-sync@.service");
        foreach (var setting in new[] { "Restart=on-failure", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "ReadWritePaths=/var/lib/blocklist", "User=blocklist", "ExecStart=/usr/bin/blocklist sync --list %i" })
        {
            Assert.Contains(setting + "\n", unit, StringComparison.Ordinal);
        }

        Assert.Single(unit.Split('\n'), l => l.StartsWith("ReadWritePaths=", StringComparison.Ordinal));

        // an instance of the template, as `systemctl enable blocklist-sync@eu` would load it
        var directory = Directory.CreateTempSubdirectory("blocklist-unit-").FullName;
        var instance = Path.Combine(directory, "blocklist-sync@eu.service");
        File.Copy("/lib/systemd/system/blocklist-sync@.service", instance);
        var verify = await ProcessRunner.RunAsync("systemd-analyze", ["verify", instance]);
        Assert.True(verify.ExitCode == 0 && verify.StandardError.Trim().Length == 0, verify.ToString());
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// The README's ISP steps after <c>dpkg -i</c>, on the installed paths: the config with the service URL, the ISP key
    /// and the resolver's group; <c>keys pin</c>; the resolver's group for the user; the per-list environment file from the
    /// package's example; the first sync as the user <c>blocklist</c> with what the unit passes (systemd itself does not
    /// run in CI); then a real Unbound loads the zone and answers NXDOMAIN for the listed host.
    /// </summary>
    [PackageFact]
    public async Task The_readme_steps_take_the_installed_package_to_a_blocking_unbound()
    {
        await using var world = await EndToEndWorld.StartAsync();
        var (home, service, keyId) = (world.Home, world.Service, world.KeyId);
        using var admin = service.Client(world.AdminKey);
        var isp = await IssueAsync(admin, new { role = "isp", organisation = "isp-package", lists = new[] { "eu" } });
        var hotline = await IssueAsync(admin, new { role = "hotline", organisation = "hotline-package" });
        using (var submitter = service.Client(hotline))
        {
            var verifiedAt = EndToEndWorld.Timestamp(DateTimeOffset.UtcNow.AddHours(-1));
            var submitted = await submitter.PostAsJsonAsync("api/v1/submissions", new
            {
                items = new[] { new { action = "add", url = "http://evil.test/", scope = "host", lists = new[] { "eu" }, category = "csam", reference = "PKG-1", verifiedAt, verifiedBy = new[] { "a1", "a2" } } },
            });
            Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync());
        }

        await world.PublishAsync();
        if (Directory.Exists("/var/lib/blocklist/eu"))
        {
            Directory.Delete("/var/lib/blocklist/eu", recursive: true); // an earlier run's list, from another service's chain
        }

        // 2. the config: service URL, ISP key, the resolver's group
        const string Config = "/etc/blocklist/config.json";
        await File.WriteAllTextAsync(Config, JsonSerializer.Serialize(new { stateDir = "/var/lib/blocklist", apiUrl = service.BaseUri.ToString(), apiKey = isp, exportGroup = "unbound" }));
        // 3. pin the signing key (the id the operator publishes is the one dev-key printed)
        var pin = await InstalledPackage.RunAsync(["keys", "pin", "--yes", "--json"], new Dictionary<string, string?> { ["BLOCKLIST_CONFIG"] = Config });
        Assert.True(pin.ExitCode == 0, pin.ToString());
        Assert.Equal(keyId, JsonDocument.Parse(pin.StandardOutput).RootElement.GetProperty("pinned").GetString());
        Assert.Equal("640 root blocklist", await StatAsync(Config));
        // 4. the user may hand the exports to Unbound's group
        var usermod = await ProcessRunner.RunAsync("usermod", ["-aG", "unbound", "blocklist"]);
        Assert.True(usermod.ExitCode == 0, usermod.ToString());
        // 5. the list's options, from the package's example
        File.Copy("/usr/share/doc/blocklist/examples/sync.env", "/etc/blocklist/sync-eu.env", overwrite: true);
        var options = (await File.ReadAllLinesAsync("/etc/blocklist/sync-eu.env"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => (string?)p[1]);
        Assert.Equal("rpz", options["BLOCKLIST_EXPORTS"]);
        Assert.Equal("unbound-control auth_zone_reload rpz.blocklist", options["BLOCKLIST_ON_CHANGE"]);

        // 6. what blocklist-sync@eu runs (ExecStart, its user, its environment), once; the reload command is left out
        // because no Unbound control socket runs here
        options["BLOCKLIST_CONFIG"] = Config;
        options["BLOCKLIST_ON_CHANGE"] = "true";
        var sync = await InstalledPackage.RunAsync(["sync", "--list", "eu", "--once", "--json"], options, user: "blocklist");

        Assert.True(sync.ExitCode == 0, sync.ToString());
        var report = JsonDocument.Parse(sync.StandardOutput).RootElement;
        Assert.Equal("updated", report.GetProperty("outcome").GetString());
        Assert.Equal(1, report.GetProperty("version").GetInt64());
        const string Zone = "/var/lib/blocklist/eu/exports/blocklist.rpz";
        Assert.Contains("evil.test CNAME .", await File.ReadAllTextAsync(Zone), StringComparison.Ordinal);
        Assert.Equal("640 blocklist unbound", await StatAsync(Zone));
        Assert.Equal("600 blocklist blocklist", await StatAsync("/var/lib/blocklist/eu/state.bin"));
        Assert.Equal("710 blocklist unbound", await StatAsync("/var/lib/blocklist"));
        var readable = await ProcessRunner.RunAsync("runuser", ["-u", "unbound", "--", "head", "-c", "1", Zone]);
        Assert.True(readable.ExitCode == 0, readable.ToString());
        var stateHidden = await ProcessRunner.RunAsync("runuser", ["-u", "unbound", "--", "head", "-c", "1", "/var/lib/blocklist/eu/state.bin"]);
        Assert.NotEqual(0, stateHidden.ExitCode);

        // 7. Unbound with the README's rpz: block answers NXDOMAIN for the listed host and passes the rest
        await using var upstream = await UnboundResolver.StartAsync(home.Path, "upstream", """
              module-config: "iterator"
              local-zone: "test." static
              local-data: "evil.test. 300 IN A 192.0.2.66"
              local-data: "good.test. 300 IN A 192.0.2.1"
            """, string.Empty, "good.test");
        await using var resolver = await UnboundResolver.StartRpzAsync(home.Path, Zone, upstream.Port, "good.test");
        Assert.Equal("NXDOMAIN", (await resolver.QueryAsync("evil.test")).Status);
        Assert.Equal(["good.test. A 192.0.2.1"], (await resolver.QueryAsync("good.test")).Records);
    }

    private static async Task<string> IssueAsync(HttpClient admin, object request)
    {
        var issue = System.Text.Json.JsonSerializer.SerializeToNode(request)!.AsObject();
        issue["reason"] = "issued in test";
        using var response = await admin.PostAsJsonAsync("api/v1/admin/keys", issue);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
    }

    private static async Task<string> StatAsync(string path)
    {
        var stat = await ProcessRunner.RunAsync("stat", ["-c", "%a %U %G", path]);
        Assert.True(stat.ExitCode == 0, stat.ToString());
        return stat.StandardOutput.Trim();
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+\+[0-9a-f]{12}(-modified)?$")]
    private static partial Regex VersionLine();
}
