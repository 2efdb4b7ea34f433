using BlocklistService.Functions.Publishing;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Publishing;

public sealed class PublishFailureTests(AzuriteFixture storage) : IClassFixture<AzuriteFixture>
{
    private static readonly string[] StepNames = ["planned", "plan-written", "claimed", "logged", "delta", "snapshot", "manifest", "hashed", "entries", "publications", "pending", "committed"];

    /// <summary>Every publish step, on every backend.</summary>
    public static TheoryData<string, string> Steps()
    {
        var data = new TheoryData<string, string>();
        foreach (var backend in PublishWorld.BackendNames)
        {
            foreach (var step in StepNames)
            {
                data.Add(backend, step);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_publisher_stopped_at_any_step_resumes_to_the_uninterrupted_result(string backend, string failAt)
    {
        using var world = await PublishWorld.CreateAsync(backend, storage);
        world.Options.SnapshotEvery = 1; // every version has a snapshot, so the snapshot step runs too
        await world.CreateListAsync("eu");
        var crashed = false;
        var crashing = world.Runner(new StepHook((_, step) =>
        {
            if (step == failAt && !crashed)
            {
                crashed = true;
                throw new IOException($"stopped at {step}");
            }
        }));

        var submissions = new List<string>
        {
            await world.SubmitAsync("h1", ("add", "a.example/1", "eu", 30), ("add", "b.example/2", "eu", 30)),
        };
        await world.Runner().RunOnceAsync(default);
        submissions.Add(await world.SubmitAsync("h1", ("remove", "a.example/1", "eu", 30), ("add", "c.example/3", "eu", 30)));
        submissions.Add(await world.SubmitAsync("h2", ("add", "b.example/2", "eu", 30)));

        await Assert.ThrowsAsync<IOException>(() => crashing.RunOnceAsync(default));
        Assert.True(crashed);
        await world.Runner().RunOnceAsync(default);
        await world.Runner().RunOnceAsync(default);

        var (version, expressions) = await world.VerifyChainAsync("eu");
        Assert.Equal(2, version);
        Assert.Equal(new HashSet<string> { "b.example/2", "c.example/3" }, expressions);
        Assert.Empty((await world.AllAsync("pending")));
        foreach (var submission in submissions)
        {
            var publications = await world.PublicationsAsync(submission);
            Assert.Equal(publications.Count, publications.Select(p => p.RowKey).Distinct().Count());
            Assert.All(publications, p => Assert.Equal(submission == submissions[0] ? 1 : 2, p.GetInt64("Version")));
        }

        var log = await world.Runner().Log.GetHeadAsync(default);
        Assert.Equal(5, log.Size); // 2 adds, then remove + add + second backing: each change logged exactly once
    }

    [Theory]
    [MemberData(nameof(PublishWorld.Backends), MemberType = typeof(PublishWorld))]
    public async Task Concurrent_publishers_never_fork_the_chain(string backend)
    {
        for (var round = 0; round < (backend == "memory" ? 25 : 6); round++)
        {
            using var world = await PublishWorld.CreateAsync(backend, storage);
            await world.CreateListAsync("eu");
            await world.CreateListAsync("uk");
            var expected = new HashSet<string>();
            for (var step = 0; step < 4; step++)
            {
                await world.SubmitAsync("h1", ($"add", $"x{round}-{step}.example/", step % 2 == 0 ? "eu" : "uk", 30));
                await world.SubmitAsync("h1", ($"add", $"y{round}-{step}.example/", "eu", 30));
                expected.Add($"y{round}-{step}.example/");
                if (step % 2 == 0)
                {
                    expected.Add($"x{round}-{step}.example/");
                }

                var a = world.Runner();
                var b = world.Runner();
                await Task.WhenAll(Task.Run(() => a.RunOnceAsync(default)), Task.Run(() => b.RunOnceAsync(default)));
            }

            await world.Runner().RunOnceAsync(default);
            var (_, expressions) = await world.VerifyChainAsync("eu");
            Assert.Equal(expected, expressions);
            Assert.Empty((await world.AllAsync("pending")));
            var log = await world.Runner().Log.GetHeadAsync(default);
            Assert.Equal(8, log.Size); // 6 adds on eu, 2 on uk, none twice
        }
    }
}
