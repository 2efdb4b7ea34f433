using System.Net;
using BlocklistService.Cli.Exports;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Exports;

/// <summary>An export merged with a change must be byte for byte the export written from scratch for the new state.</summary>
public sealed class ExportMergeTests
{
    private static readonly RpzOptions Nxdomain = new();
    private static readonly RpzOptions StopPage = new() { StopPageAddresses = [IPAddress.Parse("192.0.2.80"), IPAddress.Parse("2001:db8::80")], TimeToLive = 60 };

    public static TheoryData<ExportFormat, bool, int> Cases()
    {
        var data = new TheoryData<ExportFormat, bool, int>();
        foreach (var format in new[] { ExportFormat.Rpz, ExportFormat.Hosts, ExportFormat.Plain, ExportFormat.Json })
        {
            foreach (var seed in new[] { 1, 2, 3 })
            {
                data.Add(format, false, seed);
            }
        }

        data.Add(ExportFormat.Rpz, true, 4);
        data.Add(ExportFormat.Rpz, true, 5);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_merged_export_equals_the_export_written_from_scratch(ExportFormat format, bool stopPage, int seed)
    {
        using var directory = TempDirectory();
        var rpz = stopPage ? StopPage : Nxdomain;
        var random = new Random(seed);
        var old = Enumerable.Range(0, 300 * seed).Select(i => Entry(random, i)).DistinctBy(e => e.Id).ToList();
        var removed = seed == 3 ? old : old.OrderBy(_ => random.Next()).Take(old.Count / 5).ToList();
        var replaced = removed.Take(5).Select(e => e with { Category = "re-verified" }).ToList();
        var added = Enumerable.Range(10_000, 40 * seed).Select(i => Entry(random, i)).Where(e => old.All(o => o.Id != e.Id)).DistinctBy(e => e.Id).Concat(replaced).ToList();
        var next = old.Except(removed).Concat(added).ToList();
        var merged = directory.File("merged");
        var scratch = directory.File("scratch");
        var before = await ExportRunner.ExportAsync(ListAt(6, [.. old]), format, rpz, [merged], CancellationToken.None);

        var result = await ExportRunner.MergeAsync(ListAt(7, [.. next]), format, rpz, [merged], before.Summary, new ExportChange(6, removed, added), CancellationToken.None);

        var expected = await ExportRunner.ExportAsync(ListAt(7, [.. next]), format, rpz, [scratch], CancellationToken.None);
        Assert.NotNull(result);
        Assert.Equal(await File.ReadAllTextAsync(scratch), await File.ReadAllTextAsync(merged));
        Assert.Equal(expected.Summary.Written, result.Summary.Written);
        Assert.Equal(expected.Summary.Skipped.OrderBy(s => s.Key), result.Summary.Skipped.OrderBy(s => s.Key));
        Assert.Empty(Directory.EnumerateFiles(directory.Path, "*.tmp"));
    }

    [Theory]
    [InlineData("header")]
    [InlineData("body")]
    [InlineData("summary")]
    [InlineData("version")]
    public async Task An_old_file_that_is_not_the_expected_one_is_not_merged_and_stays_as_it_was(string damage)
    {
        using var directory = TempDirectory();
        var path = directory.File("blocklist.rpz");
        var old = ListAt(6, Host("a.example"), Host("c.example"));
        var before = await ExportRunner.ExportAsync(old, ExportFormat.Rpz, Nxdomain, [path], CancellationToken.None);
        var text = await File.ReadAllTextAsync(path);
        var summary = before.Summary;
        var fromVersion = 6L;
        switch (damage)
        {
            case "header": text = text.Replace("version 6", "version 5"); break;
            case "body": text = text.Replace("c.example CNAME .\n", string.Empty); break;
            case "summary": summary = summary with { Written = 3 }; break;
            default: fromVersion = 5; break;
        }

        await File.WriteAllTextAsync(path, text);

        var result = await ExportRunner.MergeAsync(ListAt(7, Host("a.example"), Host("b.example"), Host("c.example")), ExportFormat.Rpz, Nxdomain, [path], summary, new ExportChange(fromVersion, [], [Host("b.example")]), CancellationToken.None);

        Assert.Null(result);
        Assert.Equal(text, await File.ReadAllTextAsync(path));
        Assert.Empty(Directory.EnumerateFiles(directory.Path, "*.tmp"));
    }

    [Fact]
    public async Task Squid_is_not_merged_because_one_domain_decides_which_subdomains_are_written()
    {
        using var directory = TempDirectory();
        var paths = new[] { directory.File("d.txt"), directory.File("u.txt") };
        var before = await ExportRunner.ExportAsync(ListAt(1, Host("sub.a.example")), ExportFormat.Squid, Nxdomain, paths, CancellationToken.None);

        var result = await ExportRunner.MergeAsync(ListAt(2, Host("sub.a.example"), Host("a.example")), ExportFormat.Squid, Nxdomain, paths, before.Summary, new ExportChange(1, [], [Host("a.example")]), CancellationToken.None);

        Assert.Null(result);
    }

    private static ListEntry Entry(Random random, int i) => random.Next(6) switch
    {
        0 or 1 => Host($"h{random.Next(100_000)}.example"),
        2 => UnderPath($"site{i % 7}.example/p{i}/"),
        3 => Exact($"site.example/x?a={i}&b=<{random.Next(100)}>"),
        4 => Host($"192.0.2.{i % 250}"),
        _ => Host(new string('x', 64) + $".h{i}.example"),
    };
}
