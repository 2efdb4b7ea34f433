using BlocklistService.Domain.Publishing;

namespace BlocklistService.Domain.Tests.Publishing;

public sealed class PublishPolicyTests
{
    [Theory]
    [InlineData(1, 0, 0, 0, true)]      // first version
    [InlineData(11, 1, 10, 1000, true)] // every 10 versions
    [InlineData(5, 1, 100, 1000, false)]
    [InlineData(5, 1, 1001, 1000, true)] // the delta chain outweighs the snapshot
    public void Snapshot_is_due_on_the_first_version_every_n_versions_or_when_deltas_outweigh_it(long version, long last, long deltas, long snapshot, bool due) =>
        Assert.Equal(due, SnapshotPolicy.IsDue(version, last, deltas, snapshot, 10));

    [Theory]
    [InlineData(10, 100, false)]        // small changes never held
    [InlineData(1000, 101, true)]       // > 10% of 1000
    [InlineData(2000, 150, false)]
    [InlineData(1_000_000, 10_001, true)] // more than 10,000 entries
    [InlineData(1_000_000, 10_000, false)]
    public void Guard_holds_versions_that_change_too_much(long count, int changes, bool held) =>
        Assert.Equal(held, ChangeGuard.Default.MustHold(count, changes));

    [Fact]
    public void One_version_behind_gets_one_delta()
    {
        var steps = UpdatePath.Plan(9, 10, 1, 5000, _ => 100);
        Assert.Equal([new UpdateStep("delta", 10)], steps);
    }

    [Fact]
    public void Up_to_date_gets_no_steps() => Assert.Empty(UpdatePath.Plan(10, 10, 1, 5000, _ => 100));

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void Unknown_state_gets_the_snapshot_and_the_deltas_after_it(long since)
    {
        var steps = UpdatePath.Plan(since, 10, 8, 5000, _ => 100);
        Assert.Equal([new UpdateStep("snapshot", 8), new UpdateStep("delta", 9), new UpdateStep("delta", 10)], steps);
    }

    [Fact]
    public void Far_behind_gets_the_snapshot_when_it_is_smaller()
    {
        var steps = UpdatePath.Plan(2, 10, 8, 500, _ => 100);
        Assert.Equal("snapshot", steps[0].Kind);
        Assert.Equal(3, steps.Count);
    }

    [Fact]
    public void Behind_the_snapshot_gets_deltas_when_they_are_smaller()
    {
        var steps = UpdatePath.Plan(6, 10, 8, 5000, _ => 100);
        Assert.Equal(Enumerable.Range(7, 4).Select(v => new UpdateStep("delta", v)), steps);
    }
}
