using System.Text.Json;

namespace BlocklistService.Functions.Signing;

/// <summary>JSON settings of the Key Vault REST bodies (lowercase property names).</summary>
internal static class KeyVaultJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);
}

/// <summary>Unpadded base64url (RFC 4648 §5), the encoding of every binary value in Key Vault's REST API.</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public static byte[] Decode(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
