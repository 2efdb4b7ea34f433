using System.Text.Json;
using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Publishing;

/// <summary>
/// The canonical bytes of a transparency-log leaf: compact UTF-8 JSON with a fixed property order, timestamps in
/// UTC with second precision, so the same leaf always hashes the same.
/// </summary>
public static class LeafCodec
{
    public const string Format = "blocklist-leaf/1";

    public static byte[] Encode(PlannedLeaf leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteString("kind", leaf.Kind.ToString().ToLowerInvariant());
            writer.WriteString("list", leaf.List);
            writer.WriteNumber("version", leaf.Version);
            writer.WriteString("id", leaf.Id.Hex);
            writer.WriteString("expression", leaf.Expression);
            writer.WriteString("scope", leaf.Scope.ToWireName());
            writer.WriteString("category", leaf.Category);
            writer.WriteString("hotline", leaf.Hotline);
            writer.WriteString("reference", leaf.Reference);
            writer.WriteString("at", Time(leaf.At));
            if (leaf.ReviewBy is { } reviewBy)
            {
                writer.WriteString("reviewBy", Time(reviewBy));
            }

            writer.WriteBoolean("listed", leaf.ListedAfter);
            if (leaf.SubmissionId is not null)
            {
                writer.WriteString("submission", leaf.SubmissionId);
                writer.WriteNumber("item", leaf.ItemIndex ?? 0);
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static string Time(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
