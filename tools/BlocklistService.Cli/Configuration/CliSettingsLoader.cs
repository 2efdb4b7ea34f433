using System.Net;
using System.Text.Json;
using BlocklistService.Cli.Exports;

namespace BlocklistService.Cli.Configuration;

/// <summary>
/// Resolves <see cref="CliSettings"/> from flags, environment variables and the JSON config file
/// (<c>--config</c>, else <c>BLOCKLIST_CONFIG</c>, else <c>$XDG_CONFIG_HOME/blocklist/config.json</c> or
/// <c>~/.config/blocklist/config.json</c>). Each setting is taken from the first source that has it:
/// flag, then environment, then file, then the default. Bad values are usage errors naming where they came from.
/// </summary>
public static class CliSettingsLoader
{
    public const string ConfigVariable = "BLOCKLIST_CONFIG";
    public const string ApiUrlVariable = "BLOCKLIST_API_URL";
    public const string ApiKeyVariable = "BLOCKLIST_API_KEY";
    public const string StateDirectoryVariable = "BLOCKLIST_STATE_DIR";
    public const string ListVariable = "BLOCKLIST_LIST";
    public const string StopPageHostVariable = "BLOCKLIST_STOP_PAGE_HOST";
    public const string StopPageAddressesVariable = "BLOCKLIST_STOP_PAGE_ADDRESSES";
    public const string TrustedKeysVariable = "BLOCKLIST_TRUSTED_KEYS";
    public const string ExportGroupVariable = "BLOCKLIST_EXPORT_GROUP";

    private static readonly JsonSerializerOptions FileJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public static async Task<CliSettings> LoadAsync(SettingOverrides flags, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var explicitConfig = flags.ConfigPath ?? NonEmpty(environment.GetVariable(ConfigVariable));
        var configPath = Path.GetFullPath(explicitConfig ?? DefaultConfigPath(environment));
        var file = await ReadFileAsync(configPath, mustExist: explicitConfig is not null, cancellationToken);
        var configDirectory = Path.GetDirectoryName(configPath)!;

        var apiUrlText = Pick(flags.ApiUrl, "--api-url", environment, ApiUrlVariable, file?.ApiUrl, configPath, "apiUrl");
        var apiUrl = new Setting<Uri?>(apiUrlText.Value is null ? null : ParseApiUrl(apiUrlText.Value, apiUrlText.Origin), apiUrlText.Source);

        var apiKey = Pick(null, null, environment, ApiKeyVariable, file?.ApiKey, configPath, "apiKey");

        var stateText = Pick(flags.StateDirectory, "--state-dir", environment, StateDirectoryVariable, file?.StateDir, configPath, "stateDir");
        var stateDirectory = stateText.Value is null
            ? new Setting<string>(DefaultStateDirectory(environment), SettingSource.Default)
            : new Setting<string>(
                stateText.Source == SettingSource.File ? Path.GetFullPath(stateText.Value, configDirectory) : Path.GetFullPath(stateText.Value),
                stateText.Source);

        var listText = Pick(flags.List, "--list", environment, ListVariable, file?.List, configPath, "list");
        if (listText.Value is not null && !BlocklistService.Domain.Lists.ListName.TryParse(listText.Value, out _))
        {
            throw CliException.Usage("bad-list-name", $"{listText.Origin}: '{listText.Value}' is not a list name.", "Use 1-32 characters of a-z, 0-9 and '-', e.g. eu.");
        }

        var stopHost = Pick(flags.StopPageHost, "--stop-page-host", environment, StopPageHostVariable, file?.StopPageHost, configPath, "stopPageHost");
        if (stopHost.Value is not null && DnsName.Classify(stopHost.Value.TrimEnd('.')) != DnsNameKind.Name)
        {
            throw CliException.Usage("bad-stop-page-host", $"{stopHost.Origin}: '{stopHost.Value}' is not a DNS host name.", "Give the stop page's host name, e.g. stop.example.net.");
        }

        var addressTexts = PickList(flags.StopPageAddresses, environment, StopPageAddressesVariable, file?.StopPageAddresses);
        var addresses = new List<IPAddress>();
        foreach (var text in addressTexts.Value)
        {
            if (!IPAddress.TryParse(text, out var address) || text.Contains('%'))
            {
                throw CliException.Usage("bad-stop-page-address", $"{Describe(addressTexts.Source, "--stop-page-address", StopPageAddressesVariable, configPath, "stopPageAddresses")}: '{text}' is not an IPv4 or IPv6 address.", "Give the stop page's addresses, e.g. --stop-page-address 192.0.2.10 --stop-page-address 2001:db8::10.");
            }

            addresses.Add(address);
        }

        if (stopHost.Value is not null && addresses.Count > 0)
        {
            throw CliException.Usage("stop-page-conflict", "Both a stop-page host and stop-page addresses are configured.", "Choose one: a CNAME target (--stop-page-host) or A/AAAA records (--stop-page-address) for resolvers that cannot redirect by CNAME.");
        }

        var trustedKeys = PickList(flags.TrustedKeys, environment, TrustedKeysVariable, file?.TrustedKeys);
        var trusted = trustedKeys.Value
            .Select(key => IsKeyId(key) ? key.ToLowerInvariant() : (trustedKeys.Source == SettingSource.File ? Path.GetFullPath(key, configDirectory) : Path.GetFullPath(key)))
            .ToList();

        var exportGroup = Pick(flags.ExportGroup, "--export-group", environment, ExportGroupVariable, file?.ExportGroup, configPath, "exportGroup");
        if (exportGroup.Value is { } group && !(group.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && group.Length <= 64))
        {
            throw CliException.Usage("bad-export-group", $"{exportGroup.Origin}: '{group}' is not a group name.", "Name the group of the resolver or proxy that reads the exports, e.g. unbound, bind or proxy.");
        }

        return new CliSettings(
            configPath,
            file is not null,
            apiUrl,
            new Setting<string?>(apiKey.Value, apiKey.Source),
            stateDirectory,
            new Setting<string?>(listText.Value, listText.Source),
            new Setting<string?>(stopHost.Value?.TrimEnd('.').ToLowerInvariant(), stopHost.Source),
            new Setting<IReadOnlyList<IPAddress>>(addresses, addressTexts.Source))
        {
            TrustedKeys = new Setting<IReadOnlyList<string>>(trusted, trustedKeys.Source),
            ExportGroup = new Setting<string?>(exportGroup.Value, exportGroup.Source),
        };
    }

    public static string DefaultConfigPath(CliEnvironment environment) =>
        Path.Combine(NonEmpty(environment.GetVariable("XDG_CONFIG_HOME")) ?? Path.Combine(environment.HomeDirectory, ".config"), "blocklist", "config.json");

    public static string DefaultStateDirectory(CliEnvironment environment) =>
        Path.Combine(NonEmpty(environment.GetVariable("XDG_STATE_HOME")) ?? Path.Combine(environment.HomeDirectory, ".local", "state"), "blocklist");

    private static async Task<ConfigFile?> ReadFileAsync(string path, bool mustExist, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return mustExist
                ? throw CliException.Usage("config-missing", $"The config file {path} does not exist.", "Create it (see `blocklist config --help`) or drop --config / BLOCKLIST_CONFIG to use the default location.")
                : null;
        }

        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<ConfigFile>(stream, FileJson, cancellationToken)
                ?? throw CliException.Usage("config-invalid", $"The config file {path} holds null.", "Write a JSON object, e.g. {\"stateDir\": \"/var/lib/blocklist\"}.");
        }
        catch (JsonException e)
        {
            throw CliException.Usage("config-invalid", $"The config file {path} is not valid: {e.Message}", "Fix the JSON; the known keys are apiUrl, apiKey, stateDir, list, stopPageHost, stopPageAddresses, trustedKeys, exportGroup.");
        }
        catch (UnauthorizedAccessException e)
        {
            throw CliException.Usage("config-unreadable", $"The config file {path} cannot be read: {e.Message}", "Check its permissions.");
        }
    }

    private static Uri ParseApiUrl(string text, string origin) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw CliException.Usage("bad-api-url", $"{origin}: '{text}' is not an http(s) URL.", "Give the service's base URL, e.g. https://blocklist.example.org.");

    private readonly record struct Picked(string? Value, SettingSource Source, string Origin);

    private static Picked Pick(string? flag, string? flagName, CliEnvironment environment, string variable, string? fileValue, string configPath, string fileKey)
    {
        if (NonEmpty(flag) is { } fromFlag)
        {
            return new Picked(fromFlag, SettingSource.Flag, flagName!);
        }

        if (NonEmpty(environment.GetVariable(variable)) is { } fromEnvironment)
        {
            return new Picked(fromEnvironment, SettingSource.Environment, variable);
        }

        return NonEmpty(fileValue) is { } fromFile
            ? new Picked(fromFile, SettingSource.File, $"{configPath} ({fileKey})")
            : new Picked(null, SettingSource.Default, "default");
    }

    /// <summary>True for a pinned key given as its id: 64 hex digits (SHA-256 of the SubjectPublicKeyInfo).</summary>
    public static bool IsKeyId(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    private static Setting<IReadOnlyList<string>> PickList(IReadOnlyList<string>? flags, CliEnvironment environment, string variable, IReadOnlyList<string>? fileValues)
    {
        if (flags is { Count: > 0 })
        {
            return new(flags, SettingSource.Flag);
        }

        if (NonEmpty(environment.GetVariable(variable)) is { } text)
        {
            return new(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), SettingSource.Environment);
        }

        return fileValues is { Count: > 0 } ? new(fileValues, SettingSource.File) : new([], SettingSource.Default);
    }

    private static string Describe(SettingSource source, string flag, string variable, string configPath, string key) => source switch
    {
        SettingSource.Flag => flag,
        SettingSource.Environment => variable,
        _ => $"{configPath} ({key})",
    };

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The config file's shape: every key optional.</summary>
    private sealed record ConfigFile(
        string? ApiUrl = null,
        string? ApiKey = null,
        string? StateDir = null,
        string? List = null,
        string? StopPageHost = null,
        IReadOnlyList<string>? StopPageAddresses = null,
        IReadOnlyList<string>? TrustedKeys = null,
        string? ExportGroup = null);
}
