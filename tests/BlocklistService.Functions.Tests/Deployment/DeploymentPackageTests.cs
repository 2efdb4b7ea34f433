using System.IO.Compression;
using System.Text;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Deployment;

/// <summary>Builds the deployment zip once with <c>tools/package</c> (a real linux-x64 publish).</summary>
public sealed class PackagedZip : IAsyncLifetime
{
    private DirectoryInfo? _output;

    public string ZipPath { get; private set; } = string.Empty;

    public ProcessResult Result { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _output = Directory.CreateTempSubdirectory("blpkg");
        Result = await ProcessRunner.RunAsync(
            Path.Combine(RepositoryPaths.Root, "tools", "package"), ["--output", _output.FullName], timeout: TimeSpan.FromMinutes(8));
        ZipPath = Result.StandardOutput.Trim().Split('\n').LastOrDefault() ?? string.Empty;
    }

    public Task DisposeAsync()
    {
        _output?.Delete(recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class DeploymentPackageTests(PackagedZip package) : IClassFixture<PackagedZip>
{
    private static readonly string Definitions =
        Path.Combine(RepositoryPaths.Root, "functions", "BlocklistService.Functions", "FunctionDefinitions");

    [Fact]
    public void The_zip_has_the_layout_the_functions_host_expects()
    {
        Assert.True(package.Result.ExitCode == 0, package.Result.ToString());
        Assert.True(File.Exists(package.ZipPath), $"tools/package printed '{package.ZipPath}'");
        using var zip = ZipFile.OpenRead(package.ZipPath);

        var problems = DeploymentPackageLayout.Validate(zip);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.NotNull(zip.GetEntry("handler/BlocklistService.Functions.dll"));
        Assert.DoesNotContain(zip.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_function_definition_is_packaged_unchanged_and_nothing_else_is()
    {
        Assert.True(package.Result.ExitCode == 0, package.Result.ToString());
        using var zip = ZipFile.OpenRead(package.ZipPath);
        var expected = Directory.GetDirectories(Definitions).Select(dir => Path.GetFileName(dir)!).Order().ToList();

        var packaged = zip.Entries.Where(e => e.FullName.EndsWith("/function.json", StringComparison.Ordinal))
            .Select(e => e.FullName.Split('/')[0]).Order().ToList();

        Assert.Equal(expected, packaged);
        Assert.Contains("Api", packaged);
        Assert.Contains("Publish", packaged);
        foreach (var name in expected)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(Definitions, name, "function.json")),
                DeploymentPackageLayout.Read(zip.GetEntry($"{name}/function.json")!));
        }

        Assert.Equal(File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "host.json")), DeploymentPackageLayout.Read(zip.GetEntry("host.json")!));
    }
}

/// <summary>The layout checks themselves catch what would break a deployment.</summary>
public sealed class DeploymentPackageLayoutTests
{
    [Fact]
    public void Every_function_json_in_the_repository_is_valid()
    {
        var files = Directory.GetFiles(
            Path.Combine(RepositoryPaths.Root, "functions", "BlocklistService.Functions", "FunctionDefinitions"), "function.json", SearchOption.AllDirectories);

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            Assert.Empty(DeploymentPackageLayout.ValidateFunction(file, File.ReadAllBytes(file)));
        }
    }

    [Theory]
    [InlineData("{", "not JSON")]
    [InlineData("{\"bindings\":[]}", "exactly one trigger")]
    [InlineData("{\"bindings\":[{\"type\":\"timerTrigger\",\"direction\":\"in\",\"name\":\"t\",\"schedule\":\"every minute\"}]}", "NCRONTAB")]
    [InlineData("{\"bindings\":[{\"type\":\"timerTrigger\",\"direction\":\"in\",\"name\":\"t\",\"schedule\":\"0 */5 * * *\"}]}", "NCRONTAB")]
    [InlineData("{\"bindings\":[{\"type\":\"httpTrigger\",\"direction\":\"in\",\"name\":\"r\",\"authLevel\":\"function\",\"route\":\"{*path}\",\"methods\":[\"get\",\"head\",\"post\",\"put\",\"patch\",\"delete\",\"options\"]},{\"type\":\"http\",\"direction\":\"out\",\"name\":\"res\"}]}", "anonymous")]
    [InlineData("{\"bindings\":[{\"type\":\"httpTrigger\",\"direction\":\"in\",\"name\":\"r\",\"authLevel\":\"anonymous\",\"route\":\"{*path}\",\"methods\":[\"get\"]}]}", "literal segment")]
    [InlineData("{\"bindings\":[{\"type\":\"httpTrigger\",\"direction\":\"in\",\"name\":\"r\",\"authLevel\":\"anonymous\",\"route\":\"api/{*path}\",\"methods\":[\"get\"]}]}", "method post")]
    [InlineData("{\"bindings\":[{\"type\":\"queueTrigger\",\"direction\":\"in\",\"name\":\"q\"}]}", "not one the service handles")]
    public void Broken_function_json_is_reported(string json, string expected)
    {
        var problems = DeploymentPackageLayout.ValidateFunction("X/function.json", Encoding.UTF8.GetBytes(json)).ToList();

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_zip_whose_http_route_reaches_the_timer_path_is_reported()
    {
        var host = "{\"version\":\"2.0\",\"customHandler\":{\"description\":{\"defaultExecutablePath\":\"handler/app\"},\"enableProxyingHttpRequest\":true},\"extensions\":{\"http\":{\"routePrefix\":\"\"}}}";
        var api = "{\"bindings\":[{\"type\":\"httpTrigger\",\"direction\":\"in\",\"name\":\"r\",\"authLevel\":\"anonymous\",\"route\":\"{*path}\",\"methods\":[\"post\"]},{\"type\":\"http\",\"direction\":\"out\",\"name\":\"res\"}]}";
        var timer = "{\"bindings\":[{\"type\":\"timerTrigger\",\"direction\":\"in\",\"name\":\"t\",\"schedule\":\"%S%\"}]}";

        var problems = DeploymentPackageLayout.Validate(Zip(("host.json", host), ("Api/function.json", api), ("Publish/function.json", timer)));

        Assert.Contains("/Publish (a host-only timer path) is reachable through the front door", problems);
    }

    [Fact]
    public void A_zip_without_host_json_or_with_a_missing_executable_is_reported()
    {
        Assert.Contains("host.json is not at the root of the zip", DeploymentPackageLayout.Validate(Zip(("Api/function.json", "{}"))));

        var host = "{\"version\":\"2.0\",\"customHandler\":{\"description\":{\"defaultExecutablePath\":\"handler/app\"},\"enableProxyingHttpRequest\":true},\"extensions\":{\"http\":{\"routePrefix\":\"\"}}}";
        var problems = DeploymentPackageLayout.Validate(Zip(("host.json", host), ("handler/other", "x")));

        Assert.Contains(problems, p => p.Contains("'handler/app' is not in the zip", StringComparison.Ordinal));
        Assert.Contains("no function.json in the zip", problems);
        Assert.DoesNotContain(problems, p => p.Contains("routePrefix", StringComparison.Ordinal));
    }

    private static ZipArchive Zip(params (string Name, string Text)[] files)
    {
        var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(Encoding.UTF8.GetBytes(text));
            }
        }

        buffer.Position = 0;
        return new ZipArchive(buffer, ZipArchiveMode.Read);
    }
}
