using BlocklistService.Domain.Publishing;

namespace BlocklistService.Domain.Tests.Publishing;

public sealed class TimerScheduleTests
{
    private static readonly DateTimeOffset Noonish = new(2026, 12, 4, 11, 59, 30, TimeSpan.Zero);

    [Theory]
    [InlineData("0 */1 * * * *", "2026-12-04T12:00:00Z")]
    [InlineData("0 */5 * * * *", "2026-12-04T12:00:00Z")]
    [InlineData("30 59 11 * * *", "2026-12-05T11:59:30Z")]
    [InlineData("*/10 * * * * *", "2026-12-04T11:59:40Z")]
    [InlineData("0 0 9-17 * * 1-5", "2026-12-04T12:00:00Z")]
    [InlineData("0 0 9 * * 1", "2026-12-07T09:00:00Z")]
    [InlineData("0 15,45 * * * *", "2026-12-04T12:15:00Z")]
    [InlineData("0 0 0 1 1 *", "2027-01-01T00:00:00Z")]
    public void The_next_firing_is_the_first_matching_second_strictly_after_now(string schedule, string expected)
    {
        Assert.True(TimerSchedule.TryParse(schedule, out var parsed));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed!.NextAfter(Noonish));
    }

    [Theory]
    [InlineData("")]
    [InlineData("* * * * *")]
    [InlineData("0 */0 * * * *")]
    [InlineData("60 * * * * *")]
    [InlineData("0 0 0 * JAN *")]
    [InlineData("0 5-2 * * * *")]
    public void Schedules_it_cannot_read_are_refused_rather_than_guessed(string schedule) =>
        Assert.False(TimerSchedule.TryParse(schedule, out _));

    [Fact]
    public void A_schedule_that_never_fires_within_a_year_has_no_next_run()
    {
        Assert.True(TimerSchedule.TryParse("0 0 0 31 2 *", out var parsed));
        Assert.Null(parsed!.NextAfter(Noonish));
    }
}
