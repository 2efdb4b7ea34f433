using System.ComponentModel.DataAnnotations;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Functions.Hosting;

/// <summary>What the server sets up when it starts (section <c>Bootstrap</c>). Every step is idempotent.</summary>
public sealed class BootstrapOptions : IValidatableObject
{
    public const string Section = "Bootstrap";

    /// <summary><c>Bootstrap:Lists</c>: lists whose head rows are created at version 0 if missing (e.g. <c>eu</c>, <c>uk</c>).</summary>
    public string[]? Lists { get; set; }

    /// <summary>
    /// <c>Bootstrap:AdminKey</c>: <c>{keyId}:{hex SHA-256 of the secret}</c>, printed by
    /// <c>BlocklistService.Functions new-admin-key</c>. The first admin key of a fresh deployment; stored once (a revoked
    /// row is never revived), so the setting may stay or be removed afterwards.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// <c>Bootstrap:LocalFile</c>: development only. Seeds one key per role and writes them, the API URL and the storage
    /// connection string to this file (<c>.data/local.json</c>); keys already in the file are reused while they work.
    /// </summary>
    public string? LocalFile { get; set; }

    /// <summary><c>Bootstrap:ApiUrl</c>: the URL written into <see cref="LocalFile"/>.</summary>
    public string? ApiUrl { get; set; }

    /// <summary>The lists to create, parsed (validation has refused a malformed name).</summary>
    public IEnumerable<ListName> ListNames() => (Lists ?? []).Select(ListName.Parse);

    /// <summary>The key id and secret hash <see cref="AdminKey"/> names, or null when it is not set or malformed.</summary>
    public (string KeyId, byte[] SecretHash)? AdminKeyHash()
    {
        var parts = (AdminKey ?? string.Empty).Split(':');
        return parts.Length == 2 && parts[0].Length == 16 && parts[1].Length == 64 && parts.All(p => p.All(char.IsAsciiHexDigit))
            ? (parts[0].ToLowerInvariant(), Convert.FromHexString(parts[1]))
            : null;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((Lists ?? []).FirstOrDefault(l => !ListName.TryParse(l, out _)) is { } bad)
        {
            yield return new ValidationResult($"Bootstrap:Lists entries must be list names ([a-z0-9-]{{1,32}}), not '{bad}'", [nameof(Lists)]);
        }

        if (!string.IsNullOrWhiteSpace(AdminKey) && AdminKeyHash() is null)
        {
            // the value is a hash, not a secret, but it is not echoed either: a pasted key would be
            yield return new ValidationResult("Bootstrap:AdminKey must be '{keyId}:{sha256 hex}' as printed by `new-admin-key`", [nameof(AdminKey)]);
        }

        if (!string.IsNullOrWhiteSpace(ApiUrl) && !Uri.TryCreate(ApiUrl, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"Bootstrap:ApiUrl must be an absolute URL (got '{ApiUrl}')", [nameof(ApiUrl)]);
        }
    }
}
