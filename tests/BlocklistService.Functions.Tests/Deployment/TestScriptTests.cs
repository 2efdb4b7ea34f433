using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Deployment;

/// <summary>
/// tools/test (and .ci/run) check the Debian packages the suites run for real before anything else: a missing one is
/// installed, or the script stops at once with the exact command, instead of tests failing or skipping later.
/// </summary>
public sealed class TestScriptTests
{
    [Fact]
    public async Task A_missing_package_stops_at_once_with_the_exact_install_command()
    {
        var result = await RunAsync("""TEST_DEBIAN_PACKAGES=("sh coreutils" "no-such-tool-4e1 fake-resolver" "no-such-tool-9b2 fake-proxy"); ensure_debian_packages""");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("sudo apt-get update && sudo apt-get install -y --no-install-recommends fake-resolver fake-proxy", result.StandardError);
        Assert.DoesNotContain("coreutils", result.StandardError);
    }

    [Fact]
    public async Task Present_packages_pass_silently()
    {
        var result = await RunAsync("""TEST_DEBIAN_PACKAGES=("sh coreutils" "bash bash"); ensure_debian_packages""");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.StandardError);
    }

    [Fact]
    public async Task The_real_package_list_names_every_tool_the_suites_run()
    {
        var result = await RunAsync("""printf '%s\n' "${TEST_DEBIAN_PACKAGES[@]}" """);

        Assert.Equal(["unbound unbound", "named-checkzone bind9-utils", "dig bind9-dnsutils", "squid squid", "openssl openssl", "python3 python3", "/usr/lib/python3/dist-packages/unboundmodule.py python3-unbound", "chromium chromium fonts-liberation", "dpkg-deb dpkg-dev", "systemd-analyze systemd"],
            result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Tools_test_checks_the_packages_before_it_builds()
    {
        var script = await File.ReadAllLinesAsync(Path.Combine(RepositoryPaths.Root, "tools", "test"));

        var check = Array.FindIndex(script, l => l.StartsWith("ensure_debian_packages", StringComparison.Ordinal));
        var build = Array.FindIndex(script, l => l.Contains("dotnet build", StringComparison.Ordinal));
        Assert.InRange(check, 0, build - 1);
    }

    private static Task<ProcessResult> RunAsync(string commands) =>
        ProcessRunner.RunAsync("bash", ["-c", $"source tools/lib/common.sh; {commands}"],
            environment: new Dictionary<string, string?> { ["BLOCKLIST_INSTALL"] = "never" });
}
