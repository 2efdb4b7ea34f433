using BlocklistService.Domain.Transparency;
using BlocklistService.Functions.Audit;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Audit;

/// <summary>
/// Where an export of a time range starts: the binary search over the leaves' running maximum of publishedAt never
/// skips a leaf in the range, also when a batch published earlier was appended later (a held plan), and skips every
/// leaf before the range when publication times grow with the log.
/// </summary>
public sealed class ExportRangeTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task The_range_start_found_never_skips_a_leaf_in_the_range_and_skips_the_leaves_before_it()
    {
        using var world = new AuditLogWorld(storage.ConnectionString, Azurite.UniqueName("x")[..13]);
        await world.CreateAsync();
        var start = world.Now; // 12:00; each publication moves the clock 5 minutes on
        for (var version = 1; version <= 4; version++)
        {
            await world.PublishAsync("eu", Changes("eu", version, 3), []);
        }

        // a plan made at 11:00 and held for approval, appended after the 12:15 version
        var resume = world.Now;
        world.Now = start.AddHours(-1);
        await world.PublishAsync("uk", Changes("uk", 1, 2), []);
        world.Now = resume;
        for (var version = 5; version <= 7; version++)
        {
            await world.PublishAsync("eu", Changes("eu", version, 4), []);
        }

        var reader = new TransparencyLogReader(new AuditStorage(world.Storage.Rows, world.Storage.Blobs));
        var (size, _) = await reader.GetHeadAsync(default);
        var published = world.Leaves.Select(l => LogLeaf.FromJson(l).Value!.PublishedAt).ToList();
        Assert.Equal(world.Leaves.Count, size);
        for (var minutes = -90; minutes <= 50; minutes += 5)
        {
            var from = start.AddMinutes(minutes);
            var first = await reader.FirstIndexPublishedFromAsync(from, size, default);
            var inRange = Enumerable.Range(0, published.Count).Where(i => published[i] >= from).ToList();
            Assert.All(inRange, i => Assert.True(i >= first, $"from {from:HH:mm}: leaf {i} ({published[i]:HH:mm}) is before the start found, {first}"));
            var runningMax = Enumerable.Range(0, published.Count).Select(i => published.Take(i + 1).Max()).ToList();
            Assert.Equal(runningMax.FindIndex(t => t >= from) is var tight and >= 0 ? tight : published.Count, first);
        }

        // publication times grow until the held batch: a range from 12:10 starts at eu v3 (leaf 6), not at leaf 0
        Assert.Equal(6, await reader.FirstIndexPublishedFromAsync(start.AddMinutes(10), size, default));
    }

    private static List<LogLeaf> Changes(string list, int version, int count) =>
        Enumerable.Range(0, count).Select(i => AuditLogWorld.Change(LogLeafKind.Add, list, $"v{version}-{i}.{list}.example/", "h1", $"r{version}-{i}")).ToList();
}
