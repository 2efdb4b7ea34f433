using System.Text.Json;
using System.Text.Json.Serialization;
using BlocklistService.Cli.State;

namespace BlocklistService.Cli.Sync;

/// <summary>
/// Sync's bookkeeping beside a list's state (<c>STATE_DIR/{list}/sync.json</c>): the ETag of the last updates answer
/// and the version it was for, when the service allows the next poll, and the version the exports were last written
/// for (so an export that failed is redone at the next run even when nothing new arrives), with a fingerprint of each
/// export file, so the next update may merge into a file only while it is still the one sync wrote.
/// </summary>
public sealed record SyncCursor(long Since = 0, string? ETag = null, DateTimeOffset? NextPollNotBefore = null, long? ExportedVersion = null, string? ExportedFormats = null, IReadOnlyList<ExportFingerprint>? ExportedFiles = null)
{
    public static async Task<SyncCursor> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return new SyncCursor();
        }

        try
        {
            return JsonSerializer.Deserialize(await File.ReadAllBytesAsync(path, cancellationToken), SyncCursorJson.Default.SyncCursor) ?? new SyncCursor();
        }
        catch (JsonException)
        {
            return new SyncCursor();
        }
    }

    public Task WriteAsync(string path, CancellationToken cancellationToken) =>
        AtomicFileWriter.WriteTextAsync(
            path,
            async (writer, ct) =>
            {
                await writer.WriteLineAsync(JsonSerializer.Serialize(this, SyncCursorJson.Default.SyncCursor).AsMemory(), ct);
                return true;
            },
            cancellationToken);
}

/// <summary>
/// An export file as sync left it: format, the options it was written with, the version, the file's path, length and
/// last-write time, and the export's counts (which the header of a merged file is computed from).
/// </summary>
public sealed record ExportFingerprint(string Format, string Options, long Version, string Path, long Length, long LastWriteTicks, int Written, IReadOnlyDictionary<string, int> Skipped)
{
    /// <summary>True when the file on disk is still the one described (same length and last-write time).</summary>
    public bool MatchesDisk() =>
        File.Exists(Path) && new FileInfo(Path) is var info && info.Length == Length && info.LastWriteTimeUtc.Ticks == LastWriteTicks;
}

/// <summary>
/// <c>sync.json</c>'s serializer, generated at build time: no reflection when a cold <c>sync</c> starts (the
/// reflection path failed on linux-arm64 under emulation, and costs start-up time everywhere).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SyncCursor))]
internal sealed partial class SyncCursorJson : JsonSerializerContext;
