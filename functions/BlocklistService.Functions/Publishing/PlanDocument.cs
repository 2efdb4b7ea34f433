using System.Text.Json;
using System.Text.Json.Serialization;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Publishing;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// A claimed plan as stored in <c>work/plans/{list}/{version}-{planId}.json</c>: the planner's output plus the facts
/// from the head it was planned on (checksum after, previous manifest, snapshot chain) that executing it needs.
/// </summary>
public sealed record PlanDocument
{
    public required PublishPlan Plan { get; init; }

    /// <summary>The LtHash16 checksum after this version.</summary>
    public required byte[] Checksum { get; init; }

    public required string? PreviousManifestSha256 { get; init; }

    public required bool SnapshotDue { get; init; }

    public required long PreviousSnapshotVersion { get; init; }

    public required string? PreviousSnapshotSha256 { get; init; }

    public required long PreviousSnapshotSize { get; init; }

    public required long DeltaBytesSinceSnapshot { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new EntryIdConverter(), new JsonStringEnumConverter() },
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Options);

    public static PlanDocument FromJson(byte[] json) =>
        JsonSerializer.Deserialize<PlanDocument>(json, Options) ?? throw new InvalidOperationException("empty plan document");

    private sealed class EntryIdConverter : JsonConverter<EntryId>
    {
        public override EntryId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            EntryId.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("bad entry id");

        public override void Write(Utf8JsonWriter writer, EntryId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Hex);

        public override EntryId ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Read(ref reader, typeToConvert, options);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, EntryId value, JsonSerializerOptions options) =>
            writer.WritePropertyName(value.Hex);
    }
}
