using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Signing;

/// <summary>One published signing key: its id, PEM and validity period (UTC; <see cref="NotAfter"/> null = open-ended).</summary>
public sealed record PublishedKey(string KeyId, string PublicKeyPem, DateTimeOffset NotBefore, DateTimeOffset? NotAfter)
{
    /// <summary>Describes a key from its SubjectPublicKeyInfo DER.</summary>
    public static PublishedKey Create(ReadOnlySpan<byte> spki, DateTimeOffset notBefore, DateTimeOffset? notAfter = null) =>
        new(PublicKeys.KeyIdOf(spki), PublicKeys.ToPem(spki), notBefore, notAfter);

    /// <summary>True when the key may sign at <paramref name="time"/>.</summary>
    public bool IsValidAt(DateTimeOffset time) => time >= NotBefore && (NotAfter is null || time < NotAfter);
}

/// <summary>
/// The service's public signing keys (<c>blocklist-keys/1</c>, <c>keys.json</c>, <c>GET /api/v1/keys</c>).
/// Keys are sorted by notBefore, then key id. Each key id is checked against its PEM on parse.
/// </summary>
public sealed record KeySet(IReadOnlyList<PublishedKey> Keys)
{
    public const string Format = "blocklist-keys/1";

    public byte[] ToJson() => ArtifactJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteStartArray("keys");
        foreach (var key in Sorted(Keys))
        {
            writer.WriteStartObject();
            writer.WriteString("keyId", key.KeyId);
            writer.WriteString("publicKeyPem", key.PublicKeyPem);
            writer.WriteTime("notBefore", key.NotBefore);
            writer.WriteTimeOrNull("notAfter", key.NotAfter);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    public static ArtifactResult<KeySet> FromJson(ReadOnlySpan<byte> json) => ArtifactJson.Parse(json, Format, root =>
    {
        var keys = new List<PublishedKey>();
        foreach (var (element, path) in root.Array("keys"))
        {
            var item = new JsonObjectReader(element, path);
            var keyId = item.Sha256Hex("keyId");
            var pem = item.String("publicKeyPem");
            var notBefore = item.Time("notBefore");
            var notAfter = item.TimeOrNull("notAfter");
            item.EnsureNoOtherProperties();
            var spki = PublicKeys.SpkiFromPem(pem);
            if (!spki.IsSuccess)
            {
                throw JsonObjectReader.Fail(item.Name("publicKeyPem"), spki.Error!);
            }

            if (PublicKeys.KeyIdOf(spki.Value) != keyId)
            {
                throw JsonObjectReader.Fail(item.Name("keyId"), "is not the SHA-256 of the key's SubjectPublicKeyInfo");
            }

            if (notAfter is { } end && end <= notBefore)
            {
                throw JsonObjectReader.Fail(item.Name("notAfter"), "must be later than notBefore");
            }

            keys.Add(new PublishedKey(keyId, pem, notBefore, notAfter));
        }

        return new KeySet(Sorted(keys));
    });

    private static List<PublishedKey> Sorted(IEnumerable<PublishedKey> keys) =>
        keys.OrderBy(k => k.NotBefore).ThenBy(k => k.KeyId, StringComparer.Ordinal).ToList();
}
