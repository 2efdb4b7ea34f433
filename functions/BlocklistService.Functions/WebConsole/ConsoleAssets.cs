using System.Reflection;
using System.Security.Cryptography;

namespace BlocklistService.Functions.WebConsole;

/// <summary>A served console file: bytes, media type and a strong ETag.</summary>
public sealed record ConsoleAsset(byte[] Content, string ContentType, string ETag);

/// <summary>
/// The console's scripts and style sheet, embedded in the assembly (no build step, no CDN): read once, served with an
/// ETag so a browser revalidates cheaply and picks up a new deployment at once.
/// </summary>
public sealed class ConsoleAssets
{
    private const string ResourcePrefix = "WebConsole/Assets/";

    private readonly Dictionary<string, ConsoleAsset> _assets = new(StringComparer.Ordinal);

    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var name = resource[ResourcePrefix.Length..];
            _assets[name] = new ConsoleAsset(bytes, ContentTypeOf(name), $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"");
        }
    }

    public ConsoleAsset? Find(string name) => _assets.GetValueOrDefault(name);

    public IEnumerable<string> Names => _assets.Keys;

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    };
}
