using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Functions.Publishing;

/// <summary>The facts a manifest states about one version.</summary>
public sealed record ManifestFacts(
    string List,
    long Version,
    long EntryCount,
    string StateHash,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    string DeltaPath,
    string DeltaSha256,
    long DeltaSize,
    long? SnapshotVersion,
    string? SnapshotPath,
    string? SnapshotSha256,
    long? SnapshotSize,
    string? PreviousManifestSha256,
    string KeyId,
    long LogSize,
    string LogRoot);

/// <summary>
/// The bytes the publisher writes for a version (delta, snapshot, manifest) and the LtHash16 state checksum it keeps
/// in the list head. Every encoding is deterministic, so a resumed publish writes identical files.
/// </summary>
public static class ListArtifacts
{
    public const int ChecksumBytes = 2048;
    private static readonly byte[] ChecksumDomain = "blocklist-lthash16/1\0"u8.ToArray();

    public static string DeltaPath(string list, long version) => $"lists/{list}/v/{version}/delta.json.gz";

    public static string SnapshotPath(string list, long version) => $"lists/{list}/v/{version}/snapshot.json.gz";

    public static string ManifestPath(string list, long version) => $"lists/{list}/v/{version}/manifest.json";

    public static string CurrentManifestPath(string list) => $"lists/{list}/manifest.json";

    /// <summary>The checksum after adding and removing ids (lane-wise sums mod 2^16 of SHAKE128 expansions).</summary>
    public static byte[] UpdateChecksum(byte[]? checksum, IEnumerable<EntryId> added, IEnumerable<EntryId> removed)
    {
        var lanes = new ushort[ChecksumBytes / 2];
        if (checksum is { Length: ChecksumBytes })
        {
            for (var i = 0; i < lanes.Length; i++)
            {
                lanes[i] = BinaryPrimitives.ReadUInt16LittleEndian(checksum.AsSpan(i * 2));
            }
        }

        var expansion = new byte[ChecksumBytes];
        void Apply(EntryId id, bool subtract)
        {
            using var shake = new Shake128();
            shake.AppendData(ChecksumDomain);
            shake.AppendData(id.ToBytes());
            shake.GetHashAndReset(expansion);
            for (var i = 0; i < lanes.Length; i++)
            {
                var lane = BinaryPrimitives.ReadUInt16LittleEndian(expansion.AsSpan(i * 2));
                lanes[i] = (ushort)(subtract ? lanes[i] - lane : lanes[i] + lane);
            }
        }

        foreach (var id in added)
        {
            Apply(id, false);
        }

        foreach (var id in removed)
        {
            Apply(id, true);
        }

        var result = new byte[ChecksumBytes];
        for (var i = 0; i < lanes.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(i * 2), lanes[i]);
        }

        return result;
    }

    /// <summary>The manifest's state hash: hex SHA-256 of the checksum bytes.</summary>
    public static string StateHash(byte[]? checksum) => Convert.ToHexStringLower(SHA256.HashData(checksum is { Length: ChecksumBytes } ? checksum : new byte[ChecksumBytes]));

    public static byte[] Delta(string list, long version, IReadOnlyList<ListEntry> adds, IReadOnlyList<EntryId> removes) =>
        Gzip(Json(writer =>
        {
            writer.WriteString("format", "blocklist-delta/1");
            writer.WriteString("list", list);
            writer.WriteNumber("fromVersion", version - 1);
            writer.WriteNumber("toVersion", version);
            writer.WriteStartArray("adds");
            foreach (var entry in adds.OrderBy(e => e.Id.Hex, StringComparer.Ordinal))
            {
                WriteEntry(writer, entry);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("removes");
            foreach (var id in removes.OrderBy(i => i.Hex, StringComparer.Ordinal))
            {
                writer.WriteStringValue(id.Hex);
            }

            writer.WriteEndArray();
        }));

    public static byte[] Snapshot(string list, long version, IEnumerable<ListEntry> entries) =>
        Gzip(Json(writer =>
        {
            writer.WriteString("format", "blocklist-snapshot/1");
            writer.WriteString("list", list);
            writer.WriteNumber("version", version);
            writer.WriteStartArray("entries");
            foreach (var entry in entries.OrderBy(e => e.Id.Hex, StringComparer.Ordinal))
            {
                WriteEntry(writer, entry);
            }

            writer.WriteEndArray();
        }));

    public static byte[] Manifest(ManifestFacts facts) => Json(writer =>
    {
        writer.WriteString("format", "blocklist-manifest/1");
        writer.WriteString("list", facts.List);
        writer.WriteNumber("version", facts.Version);
        writer.WriteNumber("entryCount", facts.EntryCount);
        writer.WriteString("stateHash", facts.StateHash);
        writer.WriteString("created", Time(facts.Created));
        writer.WriteString("expires", Time(facts.Expires));
        writer.WriteStartObject("delta");
        writer.WriteString("path", facts.DeltaPath);
        writer.WriteString("sha256", facts.DeltaSha256);
        writer.WriteNumber("size", facts.DeltaSize);
        writer.WriteEndObject();
        if (facts.SnapshotVersion is { } snapshotVersion)
        {
            writer.WriteStartObject("snapshot");
            writer.WriteNumber("version", snapshotVersion);
            writer.WriteString("path", facts.SnapshotPath);
            writer.WriteString("sha256", facts.SnapshotSha256);
            writer.WriteNumber("size", facts.SnapshotSize ?? 0);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("snapshot");
        }

        if (facts.PreviousManifestSha256 is null)
        {
            writer.WriteNull("previousManifestSha256");
        }
        else
        {
            writer.WriteString("previousManifestSha256", facts.PreviousManifestSha256);
        }

        writer.WriteString("keyId", facts.KeyId);
        writer.WriteStartObject("log");
        writer.WriteNumber("size", facts.LogSize);
        writer.WriteString("rootHash", facts.LogRoot);
        writer.WriteEndObject();
    });

    /// <summary>Reads the entries of a snapshot written by <see cref="Snapshot"/>.</summary>
    public static Dictionary<EntryId, ListEntry> ReadSnapshot(byte[] gzip)
    {
        using var document = JsonDocument.Parse(Gunzip(gzip));
        var result = new Dictionary<EntryId, ListEntry>();
        foreach (var element in document.RootElement.GetProperty("entries").EnumerateArray())
        {
            var entry = ReadEntry(element);
            result[entry.Id] = entry;
        }

        return result;
    }

    /// <summary>Applies a delta written by <see cref="Delta"/> to a set of entries.</summary>
    public static void ApplyDelta(Dictionary<EntryId, ListEntry> entries, byte[] gzip)
    {
        using var document = JsonDocument.Parse(Gunzip(gzip));
        foreach (var element in document.RootElement.GetProperty("removes").EnumerateArray())
        {
            EntryId.TryParse(element.GetString(), out var id);
            entries.Remove(id);
        }

        foreach (var element in document.RootElement.GetProperty("adds").EnumerateArray())
        {
            var entry = ReadEntry(element);
            entries[entry.Id] = entry;
        }
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static string Time(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void WriteEntry(Utf8JsonWriter writer, ListEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString("id", entry.Id.Hex);
        writer.WriteString("expression", entry.Expression);
        writer.WriteString("scope", entry.Scope.ToWireName());
        writer.WriteString("category", entry.Category);
        writer.WriteEndObject();
    }

    private static ListEntry ReadEntry(JsonElement element)
    {
        EntryId.TryParse(element.GetProperty("id").GetString(), out var id);
        EntryScopeNames.TryParse(element.GetProperty("scope").GetString(), out var scope);
        return new ListEntry(id, element.GetProperty("expression").GetString()!, scope, element.GetProperty("category").GetString()!);
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] content)
    {
        using var input = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
