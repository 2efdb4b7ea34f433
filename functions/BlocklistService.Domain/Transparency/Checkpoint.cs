using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Transparency;

/// <summary>
/// A signed statement of the transparency log's state (<c>blocklist-checkpoint/1</c>, plain JSON): its size, its
/// RFC 6962 root (hex), when it was taken and which key signs it.
/// </summary>
public sealed record Checkpoint(long Size, string RootHash, DateTimeOffset Time, string KeyId)
{
    public const string Format = "blocklist-checkpoint/1";

    public byte[] ToJson() => ArtifactJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteNumber("size", Size);
        writer.WriteString("rootHash", RootHash);
        writer.WriteTime("time", Time);
        writer.WriteString("keyId", KeyId);
        writer.WriteEndObject();
    });

    /// <summary>The root as 32 bytes.</summary>
    public byte[] RootBytes() => Convert.FromHexString(RootHash);

    public static Result<Checkpoint> FromJson(ReadOnlySpan<byte> json) => ArtifactJson.Parse(json, Format, root =>
        new Checkpoint(root.Integer("size", 0), root.Sha256Hex("rootHash"), root.Time("time"), root.Sha256Hex("keyId")));
}
