using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using BlocklistService.Functions.Signing;
using BlocklistService.Testing;

namespace BlocklistService.Functions.Tests.Deployment;

/// <summary>
/// infra-bicep checked by the real Bicep CLI (<c>bicep lint</c> with the repository's bicepconfig.json, which turns on
/// the recommended rules including <c>use-recent-api-versions</c>; <c>bicep build</c>, which type-checks every resource
/// property), and the contract the code relies on, read from the compiled ARM JSON.
/// </summary>
public sealed partial class BicepTests
{
    /// <summary>The built-in role definitions the identity gets, by id (the same in every tenant).</summary>
    private static readonly Dictionary<string, string> DocumentedRoles = new(StringComparer.Ordinal)
    {
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor",
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner",
        ["12338af0-0e69-4776-bea7-57ae8d297424"] = "Key Vault Crypto User",
    };

    [Fact]
    public async Task Every_bicep_and_bicepparam_file_lints_and_builds_without_a_single_diagnostic()
    {
        var files = BicepCli.SourceFiles().ToList();
        Assert.Contains(files, f => f.EndsWith("main.bicep", StringComparison.Ordinal));
        var parameterFiles = files.Where(f => f.EndsWith(".bicepparam", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(parameterFiles);

        // bicep lint exits 0 on warnings, so the test asks for silence. The modules compile as part of main.bicep.
        foreach (var pattern in new[] { "**/*.bicep", "**/*.bicepparam" })
        {
            var lint = await BicepCli.RunAsync("lint", "--pattern", pattern);
            Assert.True(lint.ExitCode == 0 && (lint.StandardOutput + lint.StandardError).Trim().Length == 0, $"bicep lint {pattern}: {lint}");
        }

        var main = await BicepCli.BuildMainAsync();
        Assert.True(main.ExitCode == 0 && main.StandardError.Trim().Length == 0, $"bicep build main.bicep: {main}");
        foreach (var file in parameterFiles)
        {
            var build = await BicepCli.RunAsync("build-params", file, "--stdout");
            Assert.True(build.ExitCode == 0 && build.StandardError.Trim().Length == 0, $"bicep build-params {file}: {build}");
        }
    }

    [Fact]
    public async Task The_linter_flags_an_outdated_api_version_and_a_missing_property_and_build_rejects_broken_bicep()
    {
        // A copy of bicepconfig.json next to a resource with an old API version and a missing required property: the
        // rules must be on, or the clean lint above proves nothing.
        var folder = Directory.CreateTempSubdirectory("bicep-");
        try
        {
            File.Copy(Path.Combine(BicepCli.Infra, "bicepconfig.json"), Path.Combine(folder.FullName, "bicepconfig.json"));
            var old = Path.Combine(folder.FullName, "old.bicep");
            await File.WriteAllTextAsync(old, """
                param location string
                resource account 'Microsoft.Storage/storageAccounts@2021-09-01' = {
                  name: 'stbloldversion'
                  location: location
                  kind: 'StorageV2'
                }
                """);
            var broken = Path.Combine(folder.FullName, "broken.bicep");
            await File.WriteAllTextAsync(broken, "param name string\nresource site 'Microsoft.Web/sites@2025-03-01' = {\n  name: name\n  properties: {\n");

            var lint = await BicepCli.RunAsync("lint", old);
            var build = await BicepCli.RunAsync("build", broken, "--stdout");

            Assert.Contains("use-recent-api-versions", lint.StandardOutput + lint.StandardError);
            Assert.Contains("BCP035", lint.StandardOutput + lint.StandardError);
            Assert.NotEqual(0, build.ExitCode);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Every_app_setting_the_code_requires_is_set_by_the_compiled_template()
    {
        var set = (await SiteAppSettingNames()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var required = RequiredAppSettings().ToList();

        // The scan itself must see the Key Vault signer's required options and the timer's schedule.
        Assert.Contains("Signing__KeyVault__VaultUri", required);
        Assert.Contains("Signing__KeyVault__KeyName", required);
        Assert.DoesNotContain("Signing__KeyVault__KeyVersion", required);
        Assert.Contains("PUBLISH_SCHEDULE", required);
        var missing = required.Where(name => !set.Contains(name)).ToList();
        Assert.True(missing.Count == 0, "the compiled template does not set: " + string.Join(", ", missing));
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", set);
    }

    [Fact]
    public async Task The_function_app_is_a_flex_consumption_custom_handler_with_identity_based_storage_and_no_ftp()
    {
        var template = await BicepCli.MainTemplateAsync();
        var plan = Assert.Single(BicepCli.ResourcesOfType(template, "Microsoft.Web/serverfarms"));
        var site = Assert.Single(BicepCli.ResourcesOfType(template, "Microsoft.Web/sites"));
        var config = site.GetProperty("properties").GetProperty("functionAppConfig");
        var settings = (await SiteAppSettingNames()).ToList();

        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.Equal("custom", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("UserAssignedIdentity", config.GetProperty("deployment").GetProperty("storage").GetProperty("authentication").GetProperty("type").GetString());
        Assert.True(site.GetProperty("properties").GetProperty("httpsOnly").GetBoolean());
        Assert.False(site.GetProperty("properties").GetProperty("siteConfig").TryGetProperty("ftpsState", out _), "ftpsState is deprecated on Flex Consumption");
        var policies = BicepCli.ResourcesOfType(template, "Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        Assert.Equal(["ftp", "scm"], policies.Select(p => p.GetProperty("name").GetString()!.Split('\'')[^2]).Order());
        Assert.All(policies, p => Assert.False(p.GetProperty("properties").GetProperty("allow").GetBoolean()));
        Assert.Contains("AzureWebJobsStorage__accountName", settings);
        Assert.Contains("AzureWebJobsStorage__credential", settings);
        Assert.DoesNotContain(settings, s => s is "AzureWebJobsStorage" or "FUNCTIONS_WORKER_RUNTIME" or "FUNCTIONS_EXTENSION_VERSION");
        Assert.DoesNotContain(settings, s => s.Contains("ConnectionString", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lists_protected_hosts_categories_and_operator_settings_become_indexed_app_settings()
    {
        // Without Bootstrap:Lists a fresh deployment has no list and refuses every submission as unknown-list.
        var template = await BicepCli.MainTemplateAsync();
        var site = Assert.Single(BicepCli.ResourcesOfType(template, "Microsoft.Web/sites"));
        var variables = BicepCli.Resources(template).Single(r => r.Resource.GetProperty("type").GetString() == "Microsoft.Web/sites").Variables;
        var copies = variables.GetProperty("copy").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("input").GetProperty("name").GetString()!);
        var appSettings = site.GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings").GetString()!;

        Assert.Equal("[format('Bootstrap__Lists__{0}', copyIndex('listSettings'))]", copies["listSettings"]);
        Assert.Equal("[format('Ingest__ProtectedHosts__{0}', copyIndex('protectedHostSettings'))]", copies["protectedHostSettings"]);
        Assert.Equal("[format('Ingest__Categories__{0}', copyIndex('categorySettings'))]", copies["categorySettings"]);
        Assert.Contains("items(parameters('additionalAppSettings'))", copies["operatorSettings"]);
        foreach (var name in copies.Keys)
        {
            Assert.Contains($"variables('{name}')", appSettings);
        }

        var parameters = template.GetProperty("parameters");
        Assert.Equal(["eu"], parameters.GetProperty("lists").GetProperty("defaultValue").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["csam"], parameters.GetProperty("categories").GetProperty("defaultValue").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Environment_name_and_retention_parameters_accept_only_values_azure_accepts()
    {
        var template = await BicepCli.MainTemplateAsync();
        var parameters = template.GetProperty("parameters");
        var environment = parameters.GetProperty("environmentName");
        var guard = template.GetProperty("variables").GetProperty("validEnvironmentName").GetString()!;

        Assert.Equal(2, environment.GetProperty("minLength").GetInt32());
        Assert.Equal(10, environment.GetProperty("maxLength").GetInt32());
        Assert.StartsWith("[if(variables('environmentNameIsValid'), parameters('environmentName'), fail(", guard, StringComparison.Ordinal);
        Assert.Equal("abcdefghijklmnopqrstuvwxyz0123456789", template.GetProperty("variables").GetProperty("environmentNameCharacters").GetString());
        // Every resource name is built from the checked name, never from the raw parameter.
        var names = template.GetProperty("variables").GetProperty("names").EnumerateObject().Select(p => p.Value.GetString()!).ToList();
        Assert.All(names, n => Assert.Contains("variables('validEnvironmentName')", n));
        Assert.DoesNotContain(names, n => n.Contains("parameters('environmentName')", StringComparison.Ordinal));
        // Application Insights accepts only these retention periods.
        Assert.Equal([30, 60, 90, 120, 180, 270, 365, 550, 730],
            parameters.GetProperty("logRetentionDays").GetProperty("allowedValues").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task Storage_refuses_shared_keys_and_public_blobs_and_deletes_blob_versions_past_retention()
    {
        var template = await BicepCli.MainTemplateAsync();
        var account = Assert.Single(BicepCli.ResourcesOfType(template, "Microsoft.Storage/storageAccounts")).GetProperty("properties");
        var blobs = Assert.Single(BicepCli.ResourcesOfType(template, "Microsoft.Storage/storageAccounts/blobServices")).GetProperty("properties");
        var policy = Assert.Single(BicepCli.ResourcesOfType(template, "Microsoft.Storage/storageAccounts/managementPolicies"));
        var rule = Assert.Single(policy.GetProperty("properties").GetProperty("policy").GetProperty("rules").EnumerateArray());
        var containers = BicepCli.ResourcesOfType(template, "Microsoft.Storage/storageAccounts/blobServices/containers")
            .Select(c => c.GetProperty("name").GetString()!).ToList();

        Assert.Equal("TLS1_2", account.GetProperty("minimumTlsVersion").GetString());
        Assert.False(account.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.False(account.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.True(blobs.GetProperty("isVersioningEnabled").GetBoolean());
        Assert.True(blobs.GetProperty("deleteRetentionPolicy").GetProperty("enabled").GetBoolean());
        Assert.True(rule.GetProperty("enabled").GetBoolean());
        Assert.Equal("[parameters('retentionDays')]",
            rule.GetProperty("definition").GetProperty("actions").GetProperty("version").GetProperty("delete").GetProperty("daysAfterCreationGreaterThan").GetString());
        foreach (var container in new[] { "artifacts", "log", "work" })
        {
            Assert.Contains(containers, c => c.Contains($"'{container}'", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_compiled_template_grants_exactly_the_documented_roles_and_the_vault_protects_its_key()
    {
        var template = await BicepCli.MainTemplateAsync();
        var assignments = BicepCli.Resources(template)
            .Where(r => r.Resource.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments")
            .Select(r => (Role: RoleDefinitionId(r.Resource, r.Variables), Scope: r.Resource.GetProperty("scope").GetString()!))
            .ToList();
        var vault = Assert.Single(BicepCli.ResourcesOfType(template, "Microsoft.KeyVault/vaults")).GetProperty("properties");
        var key = Assert.Single(BicepCli.ResourcesOfType(template, "Microsoft.KeyVault/vaults/keys")).GetProperty("properties");

        Assert.Equal(DocumentedRoles.Keys.Order(), assignments.Select(a => a.Role).Order());
        Assert.All(assignments.Where(a => DocumentedRoles[a.Role].StartsWith("Storage", StringComparison.Ordinal)),
            a => Assert.Contains("Microsoft.Storage/storageAccounts", a.Scope));
        Assert.Contains("Microsoft.KeyVault/vaults", assignments.Single(a => DocumentedRoles[a.Role] == "Key Vault Crypto User").Scope);
        Assert.True(vault.GetProperty("enableRbacAuthorization").GetBoolean());
        Assert.True(vault.GetProperty("enablePurgeProtection").GetBoolean());
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("curveName").GetString());
        Assert.True(template.GetProperty("outputs").TryGetProperty("apiUrl", out _));
    }

    /// <summary>The role definition GUID of a compiled role assignment (a literal or one of its template's variables).</summary>
    private static string RoleDefinitionId(JsonElement assignment, JsonElement variables)
    {
        var expression = assignment.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!;
        var match = VariableReference().Match(expression);
        var value = match.Success ? variables.GetProperty(match.Groups[1].Value).GetString()! : expression;
        return RoleGuid().Match(value).Value;
    }

    /// <summary>The names in the Function App's fixed <c>appSettings</c> (the per-list and ingest settings are copy loops).</summary>
    internal static async Task<IEnumerable<string>> SiteAppSettingNames()
    {
        var template = await BicepCli.MainTemplateAsync();
        var site = Assert.Single(BicepCli.ResourcesOfType(template, "Microsoft.Web/sites"));
        var expression = site.GetProperty("properties").GetProperty("siteConfig").GetProperty("appSettings").GetString()!;
        return SettingName().Matches(expression).Select(m => m.Groups[1].Value).ToList();
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

    // In compiled ARM JSON a fixed setting is createObject('name', 'X', 'value', ...).
    [GeneratedRegex(@"createObject\('name', '([^']+)'")]
    private static partial Regex SettingName();

    [GeneratedRegex(@"variables\('([^']+)'\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex RoleGuid();
}
