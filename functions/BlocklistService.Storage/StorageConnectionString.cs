namespace BlocklistService.Storage;

/// <summary>
/// A parsed Azure Storage connection string: the account, its key and the Blob and Table endpoints. Accepts
/// <c>UseDevelopmentStorage=true</c> (Azurite on its default ports) and explicit <c>BlobEndpoint</c>/<c>TableEndpoint</c>
/// (path-style emulator URLs). Shared access signatures are not supported.
/// </summary>
public sealed class StorageConnectionString
{
    /// <summary>The development account (Azurite, the storage emulator): a public, documented name and key.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    private const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private StorageConnectionString(StorageSharedKeyCredential credential, Uri blobEndpoint, Uri tableEndpoint)
    {
        Credential = credential;
        BlobEndpoint = blobEndpoint;
        TableEndpoint = tableEndpoint;
    }

    public StorageSharedKeyCredential Credential { get; }

    public Uri BlobEndpoint { get; }

    public Uri TableEndpoint { get; }

    /// <summary>Parses <paramref name="connectionString"/>; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static StorageConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2 || pair[0].Trim().Length == 0)
            {
                throw new FormatException($"Connection string setting '{part}' is not of the form Name=Value.");
            }

            settings[pair[0].Trim()] = pair[1].Trim();
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out var development) &&
            string.Equals(development, "true", StringComparison.OrdinalIgnoreCase))
        {
            return new StorageConnectionString(
                new StorageSharedKeyCredential(DevelopmentAccountName, DevelopmentAccountKey),
                new Uri($"http://127.0.0.1:10000/{DevelopmentAccountName}"),
                new Uri($"http://127.0.0.1:10002/{DevelopmentAccountName}"));
        }

        if (settings.ContainsKey("SharedAccessSignature"))
        {
            throw new FormatException("Connection strings with SharedAccessSignature are not supported; use an account key or a TokenCredential.");
        }

        var account = Required(settings, "AccountName");
        var key = Required(settings, "AccountKey");
        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        var suffix = settings.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        var blob = settings.TryGetValue("BlobEndpoint", out var b) ? ParseEndpoint("BlobEndpoint", b) : new Uri($"{protocol}://{account}.blob.{suffix}");
        var table = settings.TryGetValue("TableEndpoint", out var t) ? ParseEndpoint("TableEndpoint", t) : new Uri($"{protocol}://{account}.table.{suffix}");
        return new StorageConnectionString(new StorageSharedKeyCredential(account, key), blob, table);
    }

    private static string Required(Dictionary<string, string> settings, string name) =>
        settings.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw new FormatException($"Connection string has no {name}.");

    private static Uri ParseEndpoint(string name, string value) =>
        Uri.TryCreate(value.TrimEnd('/'), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new FormatException($"Connection string {name} '{value}' is not an absolute http(s) URL.");
}
