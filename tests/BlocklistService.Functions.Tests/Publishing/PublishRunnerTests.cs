using System.Text.Json;
using BlocklistService.Domain.Publishing;
using BlocklistService.Functions.Publishing;

namespace BlocklistService.Functions.Tests.Publishing;

public sealed class PublishRunnerTests
{
    [Fact]
    public async Task Submitted_adds_and_removes_publish_in_contiguous_signed_versions_that_rebuild_the_submitted_set()
    {
        using var world = new PublishWorld();
        await world.CreateListAsync("eu");
        var runner = world.Runner();

        var first = await world.SubmitAsync("h1", ("add", "a.example/1", "eu", 30), ("add", "b.example/2", "eu", 30), ("add", "c.example/3", "eu", 30));
        var results = await runner.RunOnceAsync(default);
        Assert.Equal(ListPublishOutcome.Published, Assert.Single(results).Outcome);
        Assert.Equal(1, results[0].Version);
        Assert.All(world.Publications(first), p => Assert.Equal(1, p.GetInt64("Version")));
        Assert.Empty(world.Rows.All("pending"));

        var second = await world.SubmitAsync("h1", ("remove", "b.example/2", "eu", 30), ("remove", "z.example/", "eu", 30));
        await runner.RunOnceAsync(default);
        var outcomes = world.Publications(second).Select(p => p.GetString("Outcome")).ToList();
        Assert.Equal(["applied", "not-backed"], outcomes);

        Assert.Equal(ListPublishOutcome.NothingPending, Assert.Single(await runner.RunOnceAsync(default)).Outcome);

        var (version, expressions) = await world.VerifyChainAsync("eu");
        Assert.Equal(2, version);
        Assert.Equal(new HashSet<string> { "a.example/1", "c.example/3" }, expressions);
        var log = await runner.Log.GetHeadAsync(default);
        Assert.Equal(4, log.Size);
        Assert.Equal(log.Root, Convert.ToHexStringLower(await runner.Log.RootAtAsync(4, default)));
        Assert.Equal(Convert.ToHexStringLower(MerkleHashes.RootOf(await runner.Log.GetLeavesAsync(0, 4, default))), log.Root);
    }

    [Fact]
    public async Task A_backing_past_its_review_by_date_expires_in_the_next_version()
    {
        using var world = new PublishWorld();
        await world.CreateListAsync("eu");
        var runner = world.Runner();
        await world.SubmitAsync("h1", ("add", "a.example/1", "eu", 2), ("add", "b.example/2", "eu", 30));
        await runner.RunOnceAsync(default);

        world.Time.Advance(TimeSpan.FromDays(3));
        var result = Assert.Single(await runner.RunOnceAsync(default));
        Assert.Equal(ListPublishOutcome.Published, result.Outcome);

        var (_, expressions) = await world.VerifyChainAsync("eu");
        Assert.Equal(new HashSet<string> { "b.example/2" }, expressions);
        var leaves = await runner.Log.GetLeavesAsync(0, 10, default);
        Assert.Contains("\"kind\":\"expire\"", System.Text.Encoding.UTF8.GetString(leaves[^1]));
    }

    [Fact]
    public async Task An_entry_stays_listed_while_another_hotline_backs_it()
    {
        using var world = new PublishWorld();
        await world.CreateListAsync("eu");
        var runner = world.Runner();
        await world.SubmitAsync("h1", ("add", "a.example/1", "eu", 30));
        await world.SubmitAsync("h2", ("add", "a.example/1", "eu", 30));
        await runner.RunOnceAsync(default);
        await world.SubmitAsync("h1", ("remove", "a.example/1", "eu", 30));
        await runner.RunOnceAsync(default);
        Assert.Equal(new HashSet<string> { "a.example/1" }, (await world.VerifyChainAsync("eu")).Expressions);

        await world.SubmitAsync("h2", ("remove", "a.example/1", "eu", 30));
        await runner.RunOnceAsync(default);
        Assert.Empty((await world.VerifyChainAsync("eu")).Expressions);
    }

    [Fact]
    public async Task A_change_journaled_after_the_pending_markers_were_read_goes_into_the_next_version()
    {
        using var world = new PublishWorld();
        await world.CreateListAsync("eu");
        await world.SubmitAsync("h1", ("add", "a.example/1", "eu", 30));
        string? late = null;
        var faults = new StepHook((list, step) =>
        {
            if (step == "planned" && late is null)
            {
                late = world.SubmitAsync("h1", ("add", "late.example/", "eu", 30)).GetAwaiter().GetResult();
            }
        });

        await world.Runner(faults).RunOnceAsync(default);
        Assert.Single(world.Rows.All("pending"));
        await world.Runner().RunOnceAsync(default);

        Assert.Equal(2, Assert.Single(world.Publications(late!)).GetInt64("Version"));
        Assert.Equal(new HashSet<string> { "a.example/1", "late.example/" }, (await world.VerifyChainAsync("eu")).Expressions);
    }

    [Fact]
    public async Task A_version_that_changes_too_much_is_held_until_approved_and_loses_nothing()
    {
        using var world = new PublishWorld();
        world.Options.HoldMinimumChanges = 2;
        await world.CreateListAsync("eu");
        var runner = world.Runner();
        await world.SubmitAsync("h1", ("add", "a.example/1", "eu", 30), ("add", "b.example/1", "eu", 30), ("add", "c.example/1", "eu", 30));

        var first = Assert.Single(await runner.RunOnceAsync(default));
        Assert.Equal(ListPublishOutcome.Held, first.Outcome);
        Assert.Single(world.Rows.All("pending"));
        Assert.Null(await world.Blobs.GetAsync("artifacts", ListArtifacts.CurrentManifestPath("eu"), default));

        var hold = Assert.Single(world.Rows.All("holds"));
        await world.Rows.UpdateAsync("holds", hold with { Properties = new Dictionary<string, object?>(hold.Properties) { ["Status"] = "approved" } }, hold.ETag, default);
        Assert.Equal(ListPublishOutcome.Published, Assert.Single(await runner.RunOnceAsync(default)).Outcome);
        Assert.Equal(3, (await world.VerifyChainAsync("eu")).Expressions.Count);
    }

    [Fact]
    public async Task A_quiet_list_gets_an_empty_version_when_its_manifest_is_due_for_refresh()
    {
        using var world = new PublishWorld();
        await world.CreateListAsync("eu");
        var runner = world.Runner();
        await world.SubmitAsync("h1", ("add", "a.example/1", "eu", 300));
        await runner.RunOnceAsync(default);
        world.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(ListPublishOutcome.NothingPending, Assert.Single(await runner.RunOnceAsync(default)).Outcome);

        world.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(2, Assert.Single(await runner.RunOnceAsync(default)).Version);
        var manifest = await world.Blobs.GetAsync("artifacts", ListArtifacts.CurrentManifestPath("eu"), default);
        using var doc = JsonDocument.Parse(manifest!.Content);
        Assert.Equal("2026-11-30T14:00:01Z", doc.RootElement.GetProperty("expires").GetString());
        Assert.Single((await world.VerifyChainAsync("eu")).Expressions);
    }
}

/// <summary>Runs a callback at every publish step.</summary>
public sealed class StepHook(Action<string, string> onStep) : IPublishFaults
{
    public void AtStep(string list, string step) => onStep(list, step);
}
