using BlocklistService.Domain.Signing;
using BlocklistService.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace BlocklistService.Functions.Tests.Support;

/// <summary>The real server (see <see cref="ApiFactory"/>) with a PEM signing key on disk and no background publishing.</summary>
public static class PublishApi
{
    public static ApiFactory Create(string connectionString, IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null) =>
        new(connectionString, Settings(extra), services);

    /// <summary>The same server on in-memory stores (<see cref="ApiFactory.OnMemoryStores"/>).</summary>
    public static ApiFactory OnMemoryStores(IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null, MemoryStorage? memory = null) =>
        ApiFactory.OnMemoryStores(Settings(extra), services, memory);

    private static Dictionary<string, string?> Settings(IReadOnlyDictionary<string, string?>? extra)
    {
        var pem = Path.Combine(Path.GetTempPath(), Azurite.UniqueName("key") + ".pem");
        using (var signer = PemArtifactSigner.Generate())
        {
            File.WriteAllText(pem, signer.ToPkcs8Pem());
        }

        var settings = new Dictionary<string, string?>
        {
            ["Signing:Provider"] = "pem",
            ["Signing:PemPath"] = pem,
            ["Publishing:Interval"] = "00:00:00",
            ["Publishing:HeadCacheTtl"] = "00:00:00",
            ["Publishing:PollRecordInterval"] = "00:00:00",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }
}
