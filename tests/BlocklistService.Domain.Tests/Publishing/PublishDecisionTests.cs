using BlocklistService.Domain.Publishing;

namespace BlocklistService.Domain.Tests.Publishing;

/// <summary>What a publish run does next for a list, and when a version is due at all.</summary>
public sealed class PublishDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Theory]
    [InlineData(true, false, false, ListAction.ResumeInFlight)]
    [InlineData(true, true, false, ListAction.ResumeInFlight)]
    [InlineData(true, false, true, ListAction.ResumeInFlight)]
    [InlineData(false, true, false, ListAction.WaitForHold)]
    [InlineData(false, false, true, ListAction.PublishApproved)]
    [InlineData(false, false, false, ListAction.Plan)]
    public void An_in_flight_plan_comes_first_then_the_hold_of_the_next_version(bool inFlight, bool held, bool approved, ListAction expected) =>
        Assert.Equal(expected, PublishDecision.Next(inFlight, held, approved));

    public static TheoryData<string, int, int, long, DateTimeOffset?, bool> DueCases => new()
    {
        { "pending submissions", 1, 0, 7, Now.AddMinutes(-1), true },
        { "expiries due", 0, 2, 7, Now.AddMinutes(-1), true },
        { "the first version", 0, 0, 0, null, true },
        { "never published", 0, 0, 7, null, true },
        { "manifest exactly refreshAfter old", 0, 0, 7, Now - Day, true },
        { "manifest older than refreshAfter", 0, 0, 7, Now - Day - Day, true },
        { "nothing pending, manifest fresh", 0, 0, 7, Now - Day + TimeSpan.FromSeconds(1), false },
    };

    [Theory]
    [MemberData(nameof(DueCases))]
    public void A_version_is_due_for_changes_expiries_or_an_ageing_manifest(string why, int pending, int expiries, long version, DateTimeOffset? lastPublished, bool due) =>
        Assert.True(due == PublishDecision.IsDue(pending, expiries, version, lastPublished, Now, Day), why);
}
