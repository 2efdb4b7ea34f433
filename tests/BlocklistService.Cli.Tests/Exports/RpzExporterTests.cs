using System.Net;
using BlocklistService.Cli.Exports;
using BlocklistService.Testing;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Exports;

public sealed class RpzExporterTests
{
    private static readonly BlocklistService.Cli.State.LocalListState Mixed = ListAt(
        42,
        Host("evil.example"),
        Host("xn--80ak6aa92e.example"),
        Host("under_score.example"),
        UnderPath("evil.example/dir/"),
        Exact("other.example/a.html?x=1"),
        Host("192.0.2.7"),
        Host("[2001:db8::1]"),
        Host("bad%21name.example"),
        Host(new string('a', 64) + ".example"));

    [Fact]
    public async Task Serial_is_the_version_and_host_entries_become_host_and_wildcard_nxdomain_triggers()
    {
        var (parts, summary) = await ExportText.WriteAsync(new RpzExporter(new RpzOptions()), Mixed);
        var lines = ExportText.DataLines(parts[0], ';');

        Assert.Equal("$TTL 300", lines[0]);
        Assert.Equal("@ IN SOA localhost. hostmaster.localhost. 42 3600 600 604800 300", lines[1]);
        Assert.Equal("@ IN NS localhost.", lines[2]);
        Assert.Equal(
            [
                "evil.example CNAME .", "*.evil.example CNAME .",
                "under_score.example CNAME .", "*.under_score.example CNAME .",
                "xn--80ak6aa92e.example CNAME .", "*.xn--80ak6aa92e.example CNAME .",
            ],
            lines[3..]);
        Assert.Equal(3, summary.Written);
        Assert.Equal(2, summary.Skipped[SkipReasons.UrlLevel]);
        Assert.Equal(2, summary.Skipped[SkipReasons.IpLiteral]);
        Assert.Equal(2, summary.Skipped[SkipReasons.Unrepresentable]);
        Assert.Contains("; 2 URL-level (exact/path) entries not expressible in DNS", parts[0]);
        Assert.Contains("; 2 IP-literal hosts skipped", parts[0]);
    }

    [Fact]
    public async Task Stop_page_host_answers_with_a_cname_to_it()
    {
        var (parts, _) = await ExportText.WriteAsync(new RpzExporter(new RpzOptions { StopPageHost = "stop.example.net" }), ListAt(1, Host("evil.example")));

        Assert.Equal(["evil.example CNAME stop.example.net.", "*.evil.example CNAME stop.example.net."], ExportText.DataLines(parts[0], ';')[3..]);
    }

    [Fact]
    public async Task Stop_page_addresses_answer_with_a_and_aaaa_records()
    {
        var options = new RpzOptions { StopPageAddresses = [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::10")], TimeToLive = 60 };
        var (parts, _) = await ExportText.WriteAsync(new RpzExporter(options), ListAt(1, Host("evil.example")));
        var lines = ExportText.DataLines(parts[0], ';');

        Assert.Equal("$TTL 60", lines[0]);
        Assert.Equal(
            ["evil.example A 192.0.2.10", "*.evil.example A 192.0.2.10", "evil.example AAAA 2001:db8::10", "*.evil.example AAAA 2001:db8::10"],
            lines[3..]);
    }

    [Fact]
    public async Task A_version_beyond_the_soa_serial_range_is_refused()
    {
        var error = await Assert.ThrowsAsync<CliException>(() => ExportText.WriteAsync(new RpzExporter(new RpzOptions()), ListAt(5_000_000_000, Host("evil.example"))));
        Assert.Equal("version-too-large", error.Code);
    }

    public static TheoryData<string> Policies => new() { "nxdomain", "cname", "addresses" };

    [Theory]
    [MemberData(nameof(Policies))]
    public async Task Named_checkzone_accepts_the_zone(string policy)
    {
        Assert.True(ProcessRunner.IsOnPath("named-checkzone"), "named-checkzone is missing: install bind9-utils (.ci/run does)");
        var options = policy switch
        {
            "cname" => new RpzOptions { StopPageHost = "stop.example.net" },
            "addresses" => new RpzOptions { StopPageAddresses = [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::10")] },
            _ => new RpzOptions(),
        };
        using var directory = TempDirectory();
        var zone = directory.File("blocklist.rpz");
        await ExportRunner.ExportAsync(Mixed, ExportFormat.Rpz, options, [zone], CancellationToken.None);

        // The longest origin the exporter leaves room for: names must still fit under it.
        var origin = string.Join('.', Enumerable.Repeat(new string('r', 15), 4)) + ".";
        Assert.Equal(RpzExporter.MaxOriginLength + 1, origin.Length);
        foreach (var zoneName in new[] { "rpz.blocklist.", origin })
        {
            var result = await ProcessRunner.RunAsync("named-checkzone", [zoneName, zone]);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("loaded serial 42", result.StandardOutput);
        }
    }
}
