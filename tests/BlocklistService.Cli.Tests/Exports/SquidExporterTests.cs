using System.Text.RegularExpressions;
using BlocklistService.Cli.Exports;
using BlocklistService.Domain.Entries;
using BlocklistService.Testing;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Exports;

public sealed class SquidExporterTests
{
    private static readonly BlocklistService.Cli.State.LocalListState Mixed = ListAt(
        9,
        Host("evil.example"),
        Host("www.evil.example"),
        Host("other.example"),
        Host("192.0.2.7"),
        Host("[2001:db8::1]"),
        UnderPath("site.example/abuse/"),
        Exact("site.example/a(1).html?id=7&x=$"),
        Exact("site.example/page.html"));

    [Fact]
    public async Task Domain_file_lists_hosts_with_a_leading_dot_and_leaves_out_subdomains_of_listed_domains()
    {
        var (parts, summary) = await ExportText.WriteAsync(new SquidExporter(), Mixed);

        Assert.Equal([".evil.example", ".other.example", "192.0.2.7"], ExportText.DataLines(parts[0], '#'));
        Assert.Equal(1, summary.Skipped[SkipReasons.CoveredByParent]);
        Assert.Equal(1, summary.Skipped[SkipReasons.IpLiteral]);
        Assert.Equal(6, summary.Written);
    }

    [Fact]
    public async Task Header_holds_the_squid_conf_lines_naming_the_files()
    {
        var exporter = new SquidExporter { Paths = ["/etc/squid/eu.txt", "/etc/squid/eu-urls.txt"] };
        var (parts, _) = await ExportText.WriteAsync(exporter, Mixed);

        foreach (var part in parts)
        {
            Assert.Contains("#   acl blocklist_eu_domains dstdomain \"/etc/squid/eu.txt\"\n", part);
            Assert.Contains("#   acl blocklist_eu_urls url_regex \"/etc/squid/eu-urls.txt\"\n", part);
            Assert.Contains("#   http_access deny blocklist_eu_domains\n", part);
        }
    }

    [Fact]
    public async Task Url_file_has_one_anchored_pattern_per_url_entry()
    {
        var (parts, _) = await ExportText.WriteAsync(new SquidExporter(), Mixed);

        Assert.Equal(
            [
                @"^https?://([^/?#:@]+\.)?site\.example(:[0-9]+)?/a\(1\)\.html\?id=7&x=\$$",
                @"^https?://([^/?#:@]+\.)?site\.example(:[0-9]+)?/abuse/",
                @"^https?://([^/?#:@]+\.)?site\.example(:[0-9]+)?/page\.html(\?.*)?$",
            ],
            ExportText.DataLines(parts[1], '#'));
    }

    [Theory]
    [InlineData("site.example/abuse/", EntryScope.Path, "http://site.example/abuse/x/y.jpg", true)]
    [InlineData("site.example/abuse/", EntryScope.Path, "https://www.site.example:8443/abuse/", true)]
    [InlineData("site.example/abuse/", EntryScope.Path, "http://site.example/abusex", false)]
    [InlineData("site.example/abuse/", EntryScope.Path, "http://notsite.example/abuse/", false)]
    [InlineData("site.example/abuse/", EntryScope.Path, "http://site.example.evil/abuse/", false)]
    [InlineData("site.example/page.html", EntryScope.Exact, "http://site.example/page.html", true)]
    [InlineData("site.example/page.html", EntryScope.Exact, "http://site.example/page.html?a=1", true)]
    [InlineData("site.example/page.html", EntryScope.Exact, "http://site.example/page.htmlx", false)]
    [InlineData("site.example/p.html?id=7", EntryScope.Exact, "http://site.example/p.html?id=7", true)]
    [InlineData("site.example/p.html?id=7", EntryScope.Exact, "http://site.example/p.html?id=70", false)]
    [InlineData("site.example/p.html?id=7", EntryScope.Exact, "http://site.example/p.html", false)]
    public void Url_patterns_match_what_the_entry_covers(string expression, EntryScope scope, string url, bool matches)
    {
        // The patterns use only constructs on which POSIX extended and .NET regular expressions agree.
        Assert.Equal(matches, Regex.IsMatch(url, SquidExporter.UrlPattern(expression, scope)));
    }

    [Fact]
    public async Task Squid_parses_the_acl_files()
    {
        var squid = new[] { "/usr/sbin/squid", "/usr/bin/squid" }.FirstOrDefault(File.Exists);
        Assert.True(squid is not null, "squid is missing: install it (apt-get install squid; .ci/run does)");
        using var directory = TempDirectory();
        var paths = new[] { directory.File("eu.txt"), directory.File("eu-urls.txt") };
        await ExportRunner.ExportAsync(Mixed, ExportFormat.Squid, new RpzOptions(), paths, CancellationToken.None);
        var config = directory.File("squid.conf");
        await File.WriteAllTextAsync(config, $"""
            http_port 127.0.0.1:3128
            pid_filename none
            cache_log stdio:/dev/stderr
            acl blocklist_eu_domains dstdomain "{paths[0]}"
            acl blocklist_eu_urls url_regex "{paths[1]}"
            http_access deny blocklist_eu_domains
            http_access deny blocklist_eu_urls
            http_access deny all
            """);

        var result = await ProcessRunner.RunAsync(squid!, ["-k", "parse", "-f", config]);

        Assert.True(result.ExitCode == 0, result.ToString());
        var output = result.StandardOutput + result.StandardError;
        Assert.DoesNotContain("ERROR", output);
        Assert.DoesNotContain("WARNING", output);
        Assert.Contains("blocklist_eu_urls", output);
    }
}
