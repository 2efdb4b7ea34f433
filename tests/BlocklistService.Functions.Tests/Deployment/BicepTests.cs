using System.Reflection;
using System.Text.RegularExpressions;
using BlocklistService.Functions.Signing;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Deployment;

/// <summary>Syntax and contract checks of infra-bicep (no Bicep compiler exists here: tree-sitter-bicep parses it).</summary>
public sealed partial class BicepTests
{
    private static readonly string Infra = Path.Combine(RepositoryPaths.Root, "infra-bicep");
    private static readonly string ParseScript = Path.Combine(Infra, "test", "parse.js");

    [Fact]
    public async Task Every_bicep_file_parses_without_error_or_missing_nodes()
    {
        var result = await ProcessRunner.RunAsync("node", [ParseScript]);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var file in Directory.GetFiles(Infra, "*.bicep", SearchOption.AllDirectories))
        {
            Assert.Contains("ok   " + Path.GetRelativePath(RepositoryPaths.Root, file), result.StandardOutput);
        }
    }

    [Fact]
    public async Task The_syntax_check_fails_on_broken_bicep()
    {
        var broken = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.bicep");
        await File.WriteAllTextAsync(broken, "param name string\nresource site 'Microsoft.Web/sites@2024-04-01' = {\n  name: name\n  properties: {\n");
        try
        {
            var result = await ProcessRunner.RunAsync("node", [ParseScript, broken]);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("FAIL", result.StandardOutput);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void Every_app_setting_the_code_requires_is_set_by_main_bicep()
    {
        var set = BicepAppSettings().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var required = RequiredAppSettings().ToList();

        // The scan itself must see the Key Vault signer's required options and the timer's schedule.
        Assert.Contains("Signing__KeyVault__VaultUri", required);
        Assert.Contains("Signing__KeyVault__KeyName", required);
        Assert.DoesNotContain("Signing__KeyVault__KeyVersion", required);
        Assert.Contains("PUBLISH_SCHEDULE", required);
        var missing = required.Where(name => !set.Contains(name)).ToList();
        Assert.True(missing.Count == 0, "main.bicep does not set: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_function_app_is_a_flex_consumption_custom_handler_with_identity_based_storage()
    {
        var app = File.ReadAllText(Path.Combine(Infra, "modules", "functionapp.bicep"));

        Assert.Matches(@"name: 'FC1'\s+tier: 'FlexConsumption'", app);
        Assert.Matches(@"runtime: \{\s+name: 'custom'", app);
        Assert.Matches(@"authentication: \{\s+type: 'UserAssignedIdentity'\s+userAssignedIdentityResourceId: identityId", app);
        var settings = BicepAppSettings().ToList();
        Assert.Contains("AzureWebJobsStorage__accountName", settings);
        Assert.Contains("AzureWebJobsStorage__credential", settings);
        Assert.DoesNotContain(settings, s => s is "AzureWebJobsStorage" or "FUNCTIONS_WORKER_RUNTIME" or "FUNCTIONS_EXTENSION_VERSION");
        Assert.DoesNotContain("ConnectionString", string.Join(' ', settings), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_list_parameter_becomes_a_bootstrap_list_setting()
    {
        // Without Bootstrap:Lists a fresh deployment has no list and refuses every submission as unknown-list.
        var main = File.ReadAllText(Path.Combine(Infra, "main.bicep"));
        var app = File.ReadAllText(Path.Combine(Infra, "modules", "functionapp.bicep"));

        Assert.Matches(@"param lists array = \[\s+'eu'\s+\]", main);
        Assert.Matches(@"lists: lists", main);
        Assert.Matches(@"var listSettings = \[for \(list, i\) in lists: \{\s+name: 'Bootstrap__Lists__\$\{i\}'\s+value: list", app);
        Assert.Matches(@"appSettings: concat\(\[", app);
        Assert.Matches(@"\], listSettings, protectedHostSettings\)", app);
    }

    [Fact]
    public void Storage_refuses_shared_keys_public_blobs_and_old_tls_and_keeps_versions()
    {
        var storage = File.ReadAllText(Path.Combine(Infra, "modules", "storage.bicep"));

        foreach (var expected in new[]
        {
            "kind: 'StorageV2'", "minimumTlsVersion: 'TLS1_2'", "allowBlobPublicAccess: false", "allowSharedKeyAccess: false",
            "isVersioningEnabled: true", "name: 'artifacts'", "name: 'log'",
        })
        {
            Assert.Contains(expected, storage);
        }

        Assert.Matches(@"deleteRetentionPolicy: \{\s+enabled: true", storage);
    }

    [Fact]
    public void The_identity_gets_exactly_three_data_roles_and_the_vault_protects_its_key()
    {
        var roles = File.ReadAllText(Path.Combine(Infra, "modules", "roles.bicep"));
        var vault = File.ReadAllText(Path.Combine(Infra, "modules", "keyvault.bicep"));

        var guids = RoleGuid().Matches(roles).Select(m => m.Value).ToHashSet();
        Assert.Equal(
            new HashSet<string> { "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "12338af0-0e69-4776-bea7-57ae8d297424" },
            guids);
        Assert.Equal(3, Regex.Count(roles, @"'Microsoft\.Authorization/roleAssignments@"));
        Assert.Contains("enableRbacAuthorization: true", vault);
        Assert.Contains("enablePurgeProtection: true", vault);
        Assert.Matches(@"kty: 'EC'\s+curveName: 'P-256'", vault);
        Assert.Contains("output apiUrl string", File.ReadAllText(Path.Combine(Infra, "main.bicep")));
    }

    /// <summary>The names in the Function App's fixed <c>appSettings</c> array (the per-list settings are appended by <c>concat</c>).</summary>
    internal static IEnumerable<string> BicepAppSettings()
    {
        var text = File.ReadAllText(Path.Combine(Infra, "modules", "functionapp.bicep"));
        var start = text.IndexOf("appSettings: concat([", StringComparison.Ordinal);
        Assert.True(start >= 0, "functionapp.bicep has no appSettings array");
        var depth = 0;
        var end = start;
        for (var i = text.IndexOf('[', start); i < text.Length; i++)
        {
            depth += text[i] switch { '[' => 1, ']' => -1, _ => 0 };
            if (depth == 0)
            {
                end = i;
                break;
            }
        }

        return SettingName().Matches(text[start..end]).Select(m => m.Groups[1].Value);
    }

    /// <summary>
    /// Every app setting the code needs in Azure, from one place each: <c>[Required]</c> properties of options
    /// classes (a <c>public const string Section</c> plus property names, as environment variables with <c>__</c>),
    /// <c>%NAME%</c> references in function.json files, and the names listed in
    /// <c>functions/BlocklistService.Functions/appsettings.required.txt</c> (settings read without an options class).
    /// </summary>
    internal static IEnumerable<string> RequiredAppSettings()
    {
        var assemblies = new[] { typeof(KeyVaultSigningOptions).Assembly }
            .Concat(typeof(KeyVaultSigningOptions).Assembly.GetReferencedAssemblies()
                .Where(a => a.Name!.StartsWith("BlocklistService.", StringComparison.Ordinal))
                .Select(Assembly.Load));
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            var section = type.GetField("Section", BindingFlags.Public | BindingFlags.Static);
            if (section is not { IsLiteral: true } || section.GetRawConstantValue() is not string name)
            {
                continue;
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetCustomAttributes().Any(a => a.GetType().Name == "RequiredAttribute"))
                {
                    yield return $"{name}:{property.Name}".Replace(":", "__", StringComparison.Ordinal);
                }
            }
        }

        var definitions = Path.Combine(RepositoryPaths.Root, "functions", "BlocklistService.Functions", "FunctionDefinitions");
        foreach (var file in Directory.GetFiles(definitions, "function.json", SearchOption.AllDirectories))
        {
            foreach (var setting in DeploymentPackageLayout.SettingReferences(File.ReadAllText(file)))
            {
                yield return setting;
            }
        }

        var listed = Path.Combine(RepositoryPaths.Root, "functions", "BlocklistService.Functions", "appsettings.required.txt");
        foreach (var line in File.ReadAllLines(listed))
        {
            var setting = line.Split('#', 2)[0].Trim();
            if (setting.Length > 0)
            {
                yield return setting.Replace(":", "__", StringComparison.Ordinal);
            }
        }
    }

    [GeneratedRegex(@"name: '([^']+)'")]
    private static partial Regex SettingName();

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex RoleGuid();
}
