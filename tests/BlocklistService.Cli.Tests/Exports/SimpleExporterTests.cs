using System.Text.Json;
using BlocklistService.Cli.Exports;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Exports;

public sealed class SimpleExporterTests
{
    private static readonly BlocklistService.Cli.State.LocalListState Mixed = ListAt(
        3,
        Host("zeta.example"),
        Host("alpha.example"),
        Host("192.0.2.7"),
        UnderPath("site.example/abuse/"),
        Exact("site.example/q?a=\"1\"", "csam \"series\""));

    [Fact]
    public async Task Hosts_file_has_a_zero_address_line_per_host_entry_only()
    {
        var (parts, summary) = await ExportText.WriteAsync(new HostsExporter(), Mixed);

        Assert.Equal(["0.0.0.0 alpha.example", "0.0.0.0 zeta.example"], ExportText.DataLines(parts[0], '#'));
        Assert.Equal(2, summary.Skipped[SkipReasons.UrlLevel]);
        Assert.Equal(1, summary.Skipped[SkipReasons.IpLiteral]);
        Assert.StartsWith("# BlocklistService hosts file: list eu, version 3, 2 hosts\n", parts[0]);
    }

    [Fact]
    public async Task Plain_has_every_expression_sorted_and_nothing_else()
    {
        var (parts, _) = await ExportText.WriteAsync(new PlainExporter(), Mixed);

        Assert.Equal("192.0.2.7/\nalpha.example/\nsite.example/abuse/\nsite.example/q?a=\"1\"\nzeta.example/\n", parts[0]);
    }

    [Fact]
    public async Task Json_round_trips_every_entry_with_its_id_scope_and_category()
    {
        var (parts, summary) = await ExportText.WriteAsync(new JsonExporter(), Mixed);
        using var document = JsonDocument.Parse(parts[0]);
        var root = document.RootElement;

        Assert.Equal("eu", root.GetProperty("list").GetString());
        Assert.Equal(3, root.GetProperty("version").GetInt64());
        Assert.Equal(5, root.GetProperty("count").GetInt32());
        Assert.Equal(5, summary.Written);
        var entries = root.GetProperty("entries").EnumerateArray()
            .Select(e => (Id: e.GetProperty("id").GetString(), Expression: e.GetProperty("expression").GetString(), Scope: e.GetProperty("scope").GetString(), Category: e.GetProperty("category").GetString()))
            .ToList();
        var expected = Mixed.Entries.OrderBy(e => e.Expression, StringComparer.Ordinal)
            .Select(e => (Id: (string?)e.Id.Hex, Expression: (string?)e.Expression, Scope: (string?)BlocklistService.Domain.Entries.EntryScopeNames.ToWireName(e.Scope), Category: (string?)e.Category))
            .ToList();
        Assert.Equal(expected, entries);
    }

    [Fact]
    public void Default_paths_go_to_the_export_directory_and_squid_writes_its_url_file_beside_the_output()
    {
        Assert.Equal(["/s/eu/exports/blocklist.rpz"], ExportRunner.ResolvePaths(ExportFormat.Rpz, null, "/s/eu/exports"));
        Assert.Equal(["/etc/squid/eu.txt", "/etc/squid/eu-urls.txt"], ExportRunner.ResolvePaths(ExportFormat.Squid, "/etc/squid/eu.txt", "/unused"));
        Assert.Equal(["/out/squid-domains.txt", "/out/squid-urls.txt"], ExportRunner.ResolvePaths(ExportFormat.Squid, "/out/", "/unused"));
    }
}
