using System.ComponentModel.DataAnnotations;

namespace BlocklistService.Functions.WebConsole;

/// <summary>The web console's sessions (section <c>Console</c>).</summary>
public sealed class ConsoleOptions : IValidatableObject
{
    public const string Section = "Console";

    /// <summary>A session unused for this long is over; the next request signs in again.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A session ends this long after sign-in however busy it is.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(8);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IdleTimeout < TimeSpan.FromMinutes(1) || IdleTimeout > TimeSpan.FromHours(2))
        {
            yield return new ValidationResult("Console:IdleTimeout must be between 00:01:00 and 02:00:00", [nameof(IdleTimeout)]);
        }

        if (MaxLifetime < IdleTimeout || MaxLifetime > TimeSpan.FromHours(24))
        {
            yield return new ValidationResult("Console:MaxLifetime must be at least Console:IdleTimeout and at most 24:00:00", [nameof(MaxLifetime)]);
        }
    }
}
