namespace BlocklistService.Cli.Configuration;

/// <summary>The values given as flags on one command line; null means "not given".</summary>
public sealed record SettingOverrides(
    string? ConfigPath = null,
    string? ApiUrl = null,
    string? StateDirectory = null,
    string? List = null,
    string? StopPageHost = null,
    IReadOnlyList<string>? StopPageAddresses = null,
    IReadOnlyList<string>? TrustedKeys = null,
    string? ExportGroup = null);
