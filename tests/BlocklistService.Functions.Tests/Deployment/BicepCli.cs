using System.Reflection;
using System.Text.Json;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Deployment;

/// <summary>
/// The real Bicep CLI from the <c>Azure.Bicep.CommandLine.linux-x64</c> package (its path is recorded in this
/// assembly at build time), and the ARM JSON it compiles <c>infra-bicep/main.bicep</c> to.
/// </summary>
internal static class BicepCli
{
    public static readonly string Infra = Path.Combine(RepositoryPaths.Root, "infra-bicep");

    private static readonly Lazy<Task<ProcessResult>> MainBuild = new(() => RunAsync("build", "main.bicep", "--stdout"));

    /// <summary>The bicep executable; the build sets its execute bit.</summary>
    public static string Executable =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepPath").Value is { Length: > 0 } path && File.Exists(path)
            ? path
            : throw new InvalidOperationException("the Bicep CLI package is not restored (Azure.Bicep.CommandLine.linux-x64)");

    public static Task<ProcessResult> RunAsync(params string[] arguments) =>
        ProcessRunner.RunAsync(Executable, arguments, workingDirectory: Infra, timeout: TimeSpan.FromMinutes(6));

    /// <summary><c>bicep build main.bicep</c>, run once per test run.</summary>
    public static Task<ProcessResult> BuildMainAsync() => MainBuild.Value;

    /// <summary><c>main.bicep</c> compiled to ARM JSON.</summary>
    public static async Task<JsonElement> MainTemplateAsync()
    {
        var result = await BuildMainAsync();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException("bicep build main.bicep failed: " + result);
        }

        using var document = JsonDocument.Parse(result.StandardOutput);
        return document.RootElement.Clone();
    }

    /// <summary>Every .bicep and .bicepparam file of the deployment.</summary>
    public static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Infra, "*.bicep*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".bicep", StringComparison.Ordinal) || f.EndsWith(".bicepparam", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// Every resource in a compiled template, including those of nested deployments (modules), with the variables of
    /// the template that declares it. Handles both resource shapes ARM uses: an array, and the symbolic-name object of
    /// language version 2.0.
    /// </summary>
    public static IEnumerable<(JsonElement Resource, JsonElement Variables)> Resources(JsonElement template)
    {
        var variables = template.TryGetProperty("variables", out var v) ? v : default;
        if (!template.TryGetProperty("resources", out var resources))
        {
            yield break;
        }

        var list = resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray().ToList()
            : resources.EnumerateObject().Select(p => p.Value).ToList();
        foreach (var resource in list)
        {
            yield return (resource, variables);
            if (resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments" &&
                resource.GetProperty("properties").TryGetProperty("template", out var nested))
            {
                foreach (var inner in Resources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    public static IEnumerable<JsonElement> ResourcesOfType(JsonElement template, string type) =>
        Resources(template).Select(r => r.Resource).Where(r => r.GetProperty("type").GetString() == type);
}
