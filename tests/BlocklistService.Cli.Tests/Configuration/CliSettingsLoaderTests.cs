using BlocklistService.Cli.Configuration;

namespace BlocklistService.Cli.Tests.Configuration;

public sealed class CliSettingsLoaderTests
{
    private static CliEnvironment Environment(string home, Dictionary<string, string> variables) =>
        new(TextWriter.Null, TextWriter.Null, name => variables.GetValueOrDefault(name), home, TimeProvider.System, false);

    [Fact]
    public async Task Flag_beats_environment_beats_file_beats_default()
    {
        using var home = TestStates.TempDirectory();
        var config = Path.Combine(home.Path, ".config", "blocklist", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        await File.WriteAllTextAsync(config, """
            { "apiUrl": "https://file.example", "apiKey": "file-key", "stateDir": "state", "list": "de",
              "stopPageAddresses": ["192.0.2.1"] }
            """);
        var variables = new Dictionary<string, string> { ["BLOCKLIST_API_URL"] = "https://env.example", ["BLOCKLIST_LIST"] = "uk" };

        var settings = await CliSettingsLoader.LoadAsync(new SettingOverrides(List: "eu"), Environment(home.Path, variables), CancellationToken.None);

        Assert.True(settings.ConfigFileFound);
        Assert.Equal(new Setting<string?>("eu", SettingSource.Flag), settings.List);
        Assert.Equal(new Uri("https://env.example"), settings.ApiUrl.Value);
        Assert.Equal(SettingSource.Environment, settings.ApiUrl.Source);
        Assert.Equal(new Setting<string?>("file-key", SettingSource.File), settings.ApiKey);
        Assert.Equal(Path.Combine(home.Path, ".config", "blocklist", "state"), settings.StateDirectory.Value);
        Assert.Equal("192.0.2.1", Assert.Single(settings.StopPageAddresses.Value).ToString());
        Assert.Equal(new Setting<string?>(null, SettingSource.Default), settings.StopPageHost);
    }

    [Fact]
    public async Task Defaults_follow_the_xdg_locations_under_home()
    {
        using var home = TestStates.TempDirectory();
        var settings = await CliSettingsLoader.LoadAsync(new SettingOverrides(), Environment(home.Path, []), CancellationToken.None);

        Assert.False(settings.ConfigFileFound);
        Assert.Equal(Path.Combine(home.Path, ".config", "blocklist", "config.json"), settings.ConfigPath);
        Assert.Equal(new Setting<string>(Path.Combine(home.Path, ".local", "state", "blocklist"), SettingSource.Default), settings.StateDirectory);
    }

    [Theory]
    [InlineData("{\"apiUrl\": \"ftp://x\"}", "bad-api-url")]
    [InlineData("{\"list\": \"EU\"}", "bad-list-name")]
    [InlineData("{\"stopPageHost\": \"not a host\"}", "bad-stop-page-host")]
    [InlineData("{\"stopPageAddresses\": [\"300.1.1.1\"]}", "bad-stop-page-address")]
    [InlineData("{\"stopPageHost\": \"stop.example\", \"stopPageAddresses\": [\"192.0.2.1\"]}", "stop-page-conflict")]
    [InlineData("{\"stateDirectory\": \"typo\"}", "config-invalid")]
    [InlineData("{ not json", "config-invalid")]
    public async Task Bad_configuration_is_a_usage_error_naming_what_to_fix(string json, string code)
    {
        using var home = TestStates.TempDirectory();
        var config = home.File("config.json");
        await File.WriteAllTextAsync(config, json);

        var error = await Assert.ThrowsAsync<CliException>(() => CliSettingsLoader.LoadAsync(new SettingOverrides(ConfigPath: config), Environment(home.Path, []), CancellationToken.None));

        Assert.Equal(code, error.Code);
        Assert.Equal(ExitCodes.Usage, error.ExitCode);
        Assert.False(string.IsNullOrWhiteSpace(error.Hint));
    }

    [Fact]
    public async Task An_explicit_config_file_that_does_not_exist_is_a_usage_error()
    {
        using var home = TestStates.TempDirectory();
        var error = await Assert.ThrowsAsync<CliException>(() => CliSettingsLoader.LoadAsync(new SettingOverrides(ConfigPath: home.File("nope.json")), Environment(home.Path, []), CancellationToken.None));

        Assert.Equal("config-missing", error.Code);
    }
}
