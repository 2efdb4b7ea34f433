namespace BlocklistService.Functions.Hosting;

/// <summary>What the server sets up when it starts (section <c>Bootstrap</c>). Every step is idempotent.</summary>
public sealed class BootstrapOptions
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
}
