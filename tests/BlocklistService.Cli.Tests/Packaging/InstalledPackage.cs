using System.Runtime.InteropServices;
using BlocklistService.Testing;

namespace BlocklistService.Cli.Tests.Packaging;

/// <summary>
/// Runs a test only where the Debian package can be built and installed: Linux, root (dpkg -i), dpkg-deb present.
/// CI (.ci/run, as root) always can.
/// </summary>
public sealed class PackageFactAttribute : FactAttribute
{
    public PackageFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Skip = "installing the .deb needs root on Linux (CI runs as root)";
        }
        else if (!ProcessRunner.IsOnPath("dpkg-deb"))
        {
            Skip = "dpkg-deb is not installed: apt-get install dpkg-dev (.ci/run does)";
        }
    }
}

/// <summary>
/// The package built by <c>tools/package-cli</c> for this machine's architecture and installed with <c>dpkg -i</c>, once
/// per test class: what an ISP gets from the package, on a machine without the .NET SDK on its PATH.
/// </summary>
public sealed class InstalledPackage : IAsyncLifetime
{
    public const string Executable = "/usr/bin/blocklist";

    public string DebPath { get; private set; } = null!;

    /// <summary>The single-file executable the package was built from.</summary>
    public string BuiltExecutable { get; private set; } = null!;

    public string Rid { get; } = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";

    public async Task InitializeAsync()
    {
        // BLOCKLIST_TEST_DEB names a package tools/package-cli built already (its executable beside it, in RID/).
        if (Environment.GetEnvironmentVariable("BLOCKLIST_TEST_DEB") is { Length: > 0 } built)
        {
            DebPath = Path.GetFullPath(built);
        }
        else
        {
            var output = Path.Combine(RepositoryPaths.Root, "artifacts", "cli-package-test");
            var build = await ProcessRunner.RunAsync(Path.Combine(RepositoryPaths.Root, "tools", "package-cli"), ["--rid", Rid, "--output", output], timeout: TimeSpan.FromMinutes(20));
            Assert.True(build.ExitCode == 0, build.ToString());
            DebPath = build.StandardOutput.Trim().Split('\n')[^1];
        }

        BuiltExecutable = Path.Combine(Path.GetDirectoryName(DebPath)!, Rid, "blocklist");
        // A fresh install each run: an earlier run's config, user state and exports go first.
        await ProcessRunner.RunAsync("dpkg", ["--purge", "blocklist"], timeout: TimeSpan.FromMinutes(5));
        var install = await ProcessRunner.RunAsync("dpkg", ["-i", DebPath], timeout: TimeSpan.FromMinutes(5));
        Assert.True(install.ExitCode == 0, install.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Runs the installed executable with an environment that holds no .NET: only <c>/usr/bin:/bin</c> minus dotnet.</summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, IDictionary<string, string?>? environment = null, string? user = null)
    {
        var variables = new Dictionary<string, string?>
        {
            // A PATH without the SDK: only a directory holding the blocklist executable and the shell's basics.
            ["PATH"] = NoDotnetDirectory,
            ["DOTNET_ROOT"] = null,
            ["HOME"] = "/nonexistent",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        return user is null
            ? ProcessRunner.RunAsync(Executable, arguments, environment: variables, timeout: TimeSpan.FromMinutes(3))
            : ProcessRunner.RunAsync("runuser", ["-u", user, "--", Executable, .. arguments], environment: variables, timeout: TimeSpan.FromMinutes(3));
    }

    /// <summary>A directory with links to sh, true and the installed blocklist only: no dotnet can be found on it.</summary>
    public static string NoDotnetDirectory => NoDotnetPath.Value;

    private static readonly Lazy<string> NoDotnetPath = new(() =>
    {
        var directory = Path.Combine(Path.GetTempPath(), "blocklist-nodotnet-path");
        Directory.CreateDirectory(directory);
        foreach (var (name, target) in new[] { ("sh", "/bin/sh"), ("blocklist", Executable), ("true", "/bin/true") })
        {
            var link = Path.Combine(directory, name);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, target);
            }
        }

        return directory;
    });
}
