using System.Text.Json;
using System.Text.Json.Nodes;
using BlocklistService.Domain.Lists;
using BlocklistService.Functions.Auth;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Hosting;

/// <summary>
/// Runs in the background once the server listens (<see cref="StorageInitializer"/>): creates the tables, the
/// configured lists, the bootstrap admin key and (locally) one key per role. Idempotent, so every attempt may run it.
/// </summary>
public sealed class Bootstrapper(
    StorageAccount account,
    ListCatalog lists,
    ApiKeyStore keys,
    IOptions<BootstrapOptions> options,
    IOptions<StorageOptions> storage,
    TimeProvider time,
    ILogger<Bootstrapper> logger) : IStartupStep
{
    /// <summary>The organisation of the bootstrap and local admin keys.</summary>
    public const string OperatorOrganisation = "operator";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await account.CreateTablesAsync(cancellationToken);
        foreach (var name in options.Value.ListNames())
        {
            if (await lists.EnsureAsync(name, cancellationToken))
            {
                logger.LogInformation("Created list {List}", name.Value);
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Value.AdminKey))
        {
            await AddBootstrapAdminKeyAsync(cancellationToken);
        }

        if (!string.IsNullOrWhiteSpace(options.Value.LocalFile))
        {
            await SeedLocalAsync(options.Value.LocalFile, cancellationToken);
        }
    }

    /// <summary>The <c>Bootstrap:AdminKey</c> value for <paramref name="key"/>.</summary>
    public static string AdminKeySetting(ApiKey key) => $"{key.KeyId}:{Convert.ToHexStringLower(key.SecretHash)}";

    private async Task AddBootstrapAdminKeyAsync(CancellationToken cancellationToken)
    {
        // validated at start-up (BootstrapOptions), so a set value always parses
        if (options.Value.AdminKeyHash() is not { } admin)
        {
            return;
        }

        var record = new ApiKeyRecord(admin.KeyId, Roles.Admin, OperatorOrganisation, [], admin.SecretHash, time.GetUtcNow(), null);
        if (await keys.TryAddAsync(record, cancellationToken))
        {
            logger.LogInformation("Stored the bootstrap admin key {KeyId}", record.KeyId);
        }
    }

    private async Task SeedLocalAsync(string path, CancellationToken cancellationToken)
    {
        var existing = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(path))
        {
            try
            {
                var json = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken));
                foreach (var (role, value) in json?["keys"]?.AsObject() ?? [])
                {
                    if (value?.GetValueKind() == JsonValueKind.String)
                    {
                        existing[role] = value.GetValue<string>();
                    }
                }
            }
            catch (JsonException e)
            {
                logger.LogWarning("{LocalFile} is not valid JSON ({Error}); issuing new local keys", path, e.Message);
            }
        }

        var seeded = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var role in Roles.All)
        {
            if (existing.TryGetValue(role, out var value) && await StillWorksAsync(value, role, cancellationToken))
            {
                seeded[role] = value;
                continue;
            }

            var (key, _) = await keys.IssueAsync(role, LocalOrganisation(role), role == Roles.Isp ? [ApiKeyRecord.AllLists] : [], cancellationToken);
            seeded[role] = key.Value;
            logger.LogInformation("Issued local {Role} key {KeyId}", role, key.KeyId);
        }

        var document = new JsonObject
        {
            ["apiUrl"] = options.Value.ApiUrl ?? string.Empty,
            ["storage"] = storage.Value.ConnectionString ?? string.Empty,
            ["keys"] = new JsonObject(seeded.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private async Task<bool> StillWorksAsync(string value, string role, CancellationToken cancellationToken) =>
        ApiKey.TryParse(value, out var key) &&
        await keys.FindAsync(key.KeyId, cancellationToken) is { IsRevoked: false } record &&
        record.Role == role && key.Matches(record.SecretSha256);

    private static string LocalOrganisation(string role) => role == Roles.Admin ? OperatorOrganisation : $"local-{role}";
}
