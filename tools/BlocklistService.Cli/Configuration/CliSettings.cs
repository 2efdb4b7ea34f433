using System.Net;

namespace BlocklistService.Cli.Configuration;

/// <summary>Where a setting's value came from, shown by <c>blocklist config</c>.</summary>
public enum SettingSource
{
    Default,
    File,
    Environment,
    Flag,
}

/// <summary>A resolved setting and its origin.</summary>
public readonly record struct Setting<T>(T Value, SettingSource Source);

/// <summary>
/// The CLI's effective configuration after applying, per setting, flag &gt; environment variable &gt; config file &gt; default.
/// The API URL and key are carried here for the verbs that talk to the service (sync, submit, status).
/// </summary>
public sealed record CliSettings(
    string ConfigPath,
    bool ConfigFileFound,
    Setting<Uri?> ApiUrl,
    Setting<string?> ApiKey,
    Setting<string> StateDirectory,
    Setting<string?> List,
    Setting<string?> StopPageHost,
    Setting<IReadOnlyList<IPAddress>> StopPageAddresses)
{
    /// <summary>Pinned signing keys for sync: PEM files (absolute paths) or 64-hex key ids.</summary>
    public Setting<IReadOnlyList<string>> TrustedKeys { get; init; } = new([], SettingSource.Default);

    /// <summary>The group that may read exports (mode 0640), e.g. unbound; null: exports are 0600.</summary>
    public Setting<string?> ExportGroup { get; init; } = new(null, SettingSource.Default);
}
