using System.Globalization;

namespace BlocklistService.Domain.Publishing;

/// <summary>
/// An NCRONTAB timer schedule as Azure Functions reads it: six fields (second minute hour day month day-of-week), UTC.
/// Each field is <c>*</c>, <c>*/step</c>, a number, a range <c>a-b</c> or a comma list of those. Used to say when the
/// Publish timer next fires; names (<c>MON</c>, <c>JAN</c>) are not supported and make <see cref="TryParse"/> fail.
/// </summary>
public sealed class TimerSchedule
{
    private readonly bool[] _seconds;
    private readonly bool[] _minutes;
    private readonly bool[] _hours;
    private readonly bool[] _days;
    private readonly bool[] _months;
    private readonly bool[] _weekdays;

    private TimerSchedule(bool[][] fields) =>
        (_seconds, _minutes, _hours, _days, _months, _weekdays) = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5]);

    public static bool TryParse(string? expression, out TimerSchedule? schedule)
    {
        schedule = null;
        var parts = (expression ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        (int Min, int Max)[] bounds = [(0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];
        if (parts.Length != bounds.Length)
        {
            return false;
        }

        var fields = new bool[bounds.Length][];
        for (var i = 0; i < bounds.Length; i++)
        {
            if (!TryParseField(parts[i], bounds[i].Min, bounds[i].Max, out fields[i]))
            {
                return false;
            }
        }

        schedule = new TimerSchedule(fields);
        return true;
    }

    /// <summary>The first firing strictly after <paramref name="after"/> (UTC), or null when none within a year.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after)
    {
        var start = after.ToUniversalTime();
        var minute = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
        for (var m = 0; m < 366 * 24 * 60; m++, minute = minute.AddMinutes(1))
        {
            if (!_months[minute.Month] || !_days[minute.Day] || !_weekdays[(int)minute.DayOfWeek] || !_hours[minute.Hour] || !_minutes[minute.Minute])
            {
                continue;
            }

            for (var second = 0; second < 60; second++)
            {
                var candidate = minute.AddSeconds(second);
                if (_seconds[second] && candidate > start)
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static bool TryParseField(string field, int min, int max, out bool[] allowed)
    {
        allowed = new bool[max + 1];
        foreach (var term in field.Split(','))
        {
            var (range, step) = term.Split('/') switch
            {
                [var r] => (r, "1"),
                [var r, var s] => (r, s),
                _ => (string.Empty, string.Empty),
            };
            if (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var every) || every < 1)
            {
                return false;
            }

            int from, to;
            if (range == "*")
            {
                (from, to) = (min, max);
            }
            else if (range.Split('-') is [var a, var b] && Number(a, out from) && Number(b, out to))
            {
            }
            else if (Number(range, out from))
            {
                to = step == "1" ? from : max;
            }
            else
            {
                return false;
            }

            if (from < min || to > max || from > to)
            {
                return false;
            }

            for (var value = from; value <= to; value += every)
            {
                allowed[value] = true;
            }
        }

        return true;
    }

    private static bool Number(string text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
