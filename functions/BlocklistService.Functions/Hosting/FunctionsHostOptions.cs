using System.ComponentModel.DataAnnotations;
using System.Net;
using BlocklistService.Domain.Publishing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Hosting;

/// <summary>
/// What the Azure Functions host tells the server through app settings (top-level keys, not a section): the loopback
/// port it forwards requests to, and the Publish timer's schedule. The only place that reads them; when the port is
/// absent the server runs standalone (its own <c>urls</c>, the local publish scheduler).
/// </summary>
public sealed class FunctionsHostOptions : IValidatableObject
{
    /// <summary>Set by the Functions host for a custom handler.</summary>
    public const string PortKey = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>The app setting the Publish <c>function.json</c> reads (<c>%PUBLISH_SCHEDULE%</c>); Bicep sets it.</summary>
    public const string PublishScheduleKey = "PUBLISH_SCHEDULE";

    /// <summary>The loopback port the host forwards to; null when no Functions host runs the server.</summary>
    [ConfigurationKeyName(PortKey)]
    public int? CustomHandlerPort { get; set; }

    /// <summary>The Publish timer's NCRONTAB schedule (six fields, UTC), used to say when the timer fires next.</summary>
    [ConfigurationKeyName(PublishScheduleKey)]
    public string? PublishSchedule { get; set; }

    /// <summary>Whether the Functions host runs the server (its timer publishes; the local scheduler stays off).</summary>
    public bool HostedByFunctions => CustomHandlerPort is not null;

    /// <summary>The parsed <see cref="PublishSchedule"/>, or null when none is set.</summary>
    public TimerSchedule? Schedule() => TimerSchedule.TryParse(PublishSchedule, out var schedule) ? schedule : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CustomHandlerPort is < 1 or > 65535)
        {
            yield return new ValidationResult($"{PortKey} must be a TCP port (1-65535), not {CustomHandlerPort}", [nameof(CustomHandlerPort)]);
        }

        if (!string.IsNullOrWhiteSpace(PublishSchedule) && Schedule() is null)
        {
            yield return new ValidationResult(
                $"{PublishScheduleKey} must be a six-field NCRONTAB schedule such as '0 */1 * * * *' (got '{PublishSchedule}')", [nameof(PublishSchedule)]);
        }
    }
}

/// <summary>Binds <see cref="FunctionsHostOptions"/> once and makes Kestrel listen where the host says.</summary>
public static class FunctionsHostSetup
{
    /// <summary>Binds the host's settings from the configuration root, validated at start-up.</summary>
    public static IServiceCollection AddFunctionsHost(this IServiceCollection services)
    {
        services.AddOptions<FunctionsHostOptions>()
            .Configure<IConfiguration>((options, configuration) => configuration.Bind(options))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }

    /// <summary>
    /// Listens where the Functions host says (<see cref="FunctionsHostOptions.CustomHandlerPort"/>, loopback only) or,
    /// standalone, on the configured <c>urls</c>; caps request bodies at <see cref="ApiSetup.DefaultMaxRequestBytes"/>.
    /// </summary>
    /// <remarks>The options themselves are registered once, by <see cref="ApiSetup.AddBlocklistApi"/>.</remarks>
    public static WebApplicationBuilder UseCustomHandlerPort(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<FunctionsHostOptions>>((kestrel, host) =>
        {
            kestrel.Limits.MaxRequestBodySize = ApiSetup.DefaultMaxRequestBytes;
            if (host.Value.CustomHandlerPort is { } port)
            {
                kestrel.Listen(IPAddress.Loopback, port);
            }
        });
        return builder;
    }
}
