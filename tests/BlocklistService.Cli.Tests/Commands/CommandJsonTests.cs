using BlocklistService.Cli.State;
using static BlocklistService.Cli.Tests.TestStates;

namespace BlocklistService.Cli.Tests.Commands;

/// <summary>The verbs' <c>--json</c> output and exit codes, run in-process.</summary>
public sealed class CommandJsonTests
{
    [Fact]
    public async Task Export_json_reports_files_counts_and_skips_and_writes_the_file()
    {
        using var home = TempDirectory();
        var stateDir = Path.Combine(home.Path, "state");
        await new LocalStateStore(stateDir).WriteAsync(ListAt(12, Host("evil.example"), UnderPath("site.example/a/"), Host("192.0.2.1")), CancellationToken.None);

        var run = await CliRun.RunAsync(home.Path, null, "export", "--format", "rpz", "--state-dir", stateDir, "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var json = run.Json();
        Assert.Equal("rpz", json.GetProperty("format").GetString());
        Assert.Equal("eu", json.GetProperty("list").GetString());
        Assert.Equal(12, json.GetProperty("version").GetInt64());
        Assert.Equal(3, json.GetProperty("entries").GetInt32());
        Assert.Equal(1, json.GetProperty("written").GetInt32());
        Assert.Equal(1, json.GetProperty("skipped").GetProperty("url-level").GetInt32());
        Assert.Equal(1, json.GetProperty("skipped").GetProperty("ip-literal").GetInt32());
        var file = Assert.Single(json.GetProperty("files").EnumerateArray());
        var path = file.GetProperty("path").GetString()!;
        Assert.Equal(Path.Combine(stateDir, "eu", "exports", "blocklist.rpz"), path);
        Assert.Equal(new FileInfo(path).Length, file.GetProperty("bytes").GetInt64());
        Assert.Contains("evil.example CNAME .", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Export_takes_the_stop_page_from_the_environment()
    {
        using var home = TempDirectory();
        var stateDir = Path.Combine(home.Path, "state");
        await new LocalStateStore(stateDir).WriteAsync(ListAt(1, Host("evil.example")), CancellationToken.None);
        var output = home.File("zone.rpz");
        var variables = new Dictionary<string, string> { ["BLOCKLIST_STATE_DIR"] = stateDir, ["BLOCKLIST_STOP_PAGE_HOST"] = "stop.example.net" };

        var run = await CliRun.RunAsync(home.Path, variables, "export", "-f", "rpz", "-o", output);

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.Contains("Exported list eu version 1 as rpz: 1 of 1 entries written.", run.Output);
        Assert.Contains("*.evil.example CNAME stop.example.net.", await File.ReadAllTextAsync(output));
    }

    [Fact]
    public async Task State_json_lists_each_list_with_version_and_counts()
    {
        using var home = TempDirectory();
        var store = new LocalStateStore(Path.Combine(home.Path, "state"));
        await store.WriteAsync(ListAt(4, Host("a.example"), Exact("b.example/x")), CancellationToken.None);

        var run = await CliRun.RunAsync(home.Path, null, "state", "--state-dir", store.Root, "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        var list = Assert.Single(run.Json().GetProperty("lists").EnumerateArray());
        Assert.Equal(("eu", 4L, 2, 1, 1), (list.GetProperty("list").GetString(), list.GetProperty("version").GetInt64(), list.GetProperty("entries").GetInt32(), list.GetProperty("host").GetInt32(), list.GetProperty("exact").GetInt32()));
    }

    [Fact]
    public async Task Config_json_names_the_source_of_each_setting_and_hides_the_key()
    {
        using var home = TempDirectory();
        var variables = new Dictionary<string, string> { ["BLOCKLIST_API_KEY"] = "secret-key-value", ["BLOCKLIST_LIST"] = "uk" };

        var run = await CliRun.RunAsync(home.Path, variables, "config", "--api-url", "https://api.example", "--json");

        Assert.True(run.ExitCode == ExitCodes.Ok, run.ToString());
        Assert.DoesNotContain("secret-key-value", run.Output);
        var settings = run.Json().GetProperty("settings");
        Assert.Equal("flag", settings.GetProperty("apiUrl").GetProperty("source").GetString());
        Assert.Equal("environment", settings.GetProperty("apiKey").GetProperty("source").GetString());
        Assert.Equal("uk", settings.GetProperty("list").GetProperty("value").GetString());
        Assert.Equal("default", settings.GetProperty("stateDir").GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_missing_state_exits_1_with_a_json_error_and_hint()
    {
        using var home = TempDirectory();
        var run = await CliRun.RunAsync(home.Path, null, "export", "--format", "hosts", "--list", "uk", "--state-dir", home.Path, "--json");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        var error = run.Json().GetProperty("error");
        Assert.Equal("state-missing", error.GetProperty("code").GetString());
        Assert.Contains("blocklist sync", error.GetProperty("hint").GetString());
    }

    [Theory]
    [InlineData("export", "--format", "bind")]
    [InlineData("export")]
    [InlineData("export", "--format", "rpz", "--ttl", "-5")]
    [InlineData("frobnicate")]
    public async Task Usage_errors_exit_2_and_point_to_help(params string[] args)
    {
        using var home = TempDirectory();
        var run = await CliRun.RunAsync(home.Path, null, [.. args, "--json"]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        var error = run.Json().GetProperty("error");
        Assert.Equal("usage", error.GetProperty("code").GetString());
        Assert.Contains("--help", error.GetProperty("hint").GetString());
    }

    [Fact]
    public async Task Usage_errors_without_json_go_to_standard_error()
    {
        using var home = TempDirectory();
        var run = await CliRun.RunAsync(home.Path, null, "export", "--format", "bind");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal(string.Empty, run.Output);
        Assert.Contains("error:", run.Error);
        Assert.Contains("blocklist export --help", run.Error);
    }

    [Fact]
    public async Task An_api_key_typed_on_the_command_line_is_not_echoed_and_the_hint_says_where_keys_go()
    {
        using var home = TempDirectory();
        const string key = "bls_d542bb6a90ba3516_S8Otcu27PG5nfsy4GxlFzyRw_5J-IZF-pcDfw8ul6Jc";

        var plain = await CliRun.RunAsync(home.Path, null, "sync", "--once", "--api-key", key);
        var json = await CliRun.RunAsync(home.Path, null, "sync", "--once", "--api-key", key, "--json");

        Assert.Equal(ExitCodes.Usage, plain.ExitCode);
        Assert.DoesNotContain("S8Otcu27PG5nfsy4GxlFzyRw", plain.Output + plain.Error);
        Assert.Contains("bls_d542bb6a90ba3516_…", plain.Error);
        Assert.Contains("BLOCKLIST_API_KEY", plain.Error);
        Assert.DoesNotContain("S8Otcu27PG5nfsy4GxlFzyRw", json.Output + json.Error);
        Assert.Contains("BLOCKLIST_API_KEY", json.Json().GetProperty("error").GetProperty("hint").GetString());
    }

    [Theory]
    [InlineData("export")]
    [InlineData("state")]
    [InlineData("config")]
    [InlineData("check")]
    [InlineData("canonicalize")]
    [InlineData("dev-key")]
    public async Task Every_verb_has_help_with_examples(string verb)
    {
        using var home = TempDirectory();
        var run = await CliRun.RunAsync(home.Path, null, verb, "--help");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("Examples:", run.Output);
        Assert.Contains($"blocklist {verb}", run.Output);
        Assert.Contains("--json", run.Output);
    }

    [Fact]
    public async Task Several_lists_without_a_list_choice_is_a_usage_error()
    {
        using var home = TempDirectory();
        var store = new LocalStateStore(home.Path);
        await store.WriteAsync(ListAt(1, Host("a.example")), CancellationToken.None);
        await store.WriteAsync(ListAt(1, Host("a.example")) with { List = BlocklistService.Domain.Lists.ListName.Parse("uk") }, CancellationToken.None);

        var run = await CliRun.RunAsync(home.Path, null, "export", "-f", "plain", "--state-dir", home.Path, "--json");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal("list-required", run.Json().GetProperty("error").GetProperty("code").GetString());
    }
}
