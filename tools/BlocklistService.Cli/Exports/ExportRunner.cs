using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Exports;

/// <summary>One file an export wrote.</summary>
public sealed record ExportedFile(string Part, string Path, long Bytes);

/// <summary>The outcome of one export: format, list, version, files and counts; <paramref name="Merged"/> when the old file was merged with the change rather than rewritten.</summary>
public sealed record ExportResult(ExportFormat Format, string List, long Version, int Entries, IReadOnlyList<ExportedFile> Files, ExportSummary Summary, bool Merged = false);

/// <summary>
/// Regenerates an export from a list state and replaces its files atomically (see <see cref="AtomicFileWriter"/>):
/// a filter reloading at any moment reads the previous complete file or the new complete file.
/// </summary>
public static class ExportRunner
{
    /// <summary>The exporter for a format.</summary>
    public static IListExporter Create(ExportFormat format, RpzOptions rpz, IReadOnlyList<string>? paths = null) => format switch
    {
        ExportFormat.Rpz => new RpzExporter(rpz),
        ExportFormat.Squid => new SquidExporter { Paths = paths },
        ExportFormat.Hosts => new HostsExporter(),
        ExportFormat.Plain => new PlainExporter(),
        ExportFormat.Json => new JsonExporter(),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>What besides the state decides an export's bytes (the RPZ answers and TTL), to tell whether an old file still fits.</summary>
    public static string OptionsKey(ExportFormat format, RpzOptions rpz) => format == ExportFormat.Rpz
        ? $"ttl={rpz.TimeToLive};stop={rpz.StopPageHost};addresses={string.Join(",", rpz.StopPageAddresses)}"
        : string.Empty;

    /// <summary>
    /// The files a format writes: <paramref name="output"/> for the first part (a directory means "default file names
    /// in it"), the following parts beside it named after their default names; with no output, the list's export directory.
    /// </summary>
    public static IReadOnlyList<string> ResolvePaths(ExportFormat format, string? output, string exportDirectory)
    {
        var parts = Create(format, new RpzOptions()).Parts;
        if (output is null || Directory.Exists(output) || output.EndsWith('/'))
        {
            var directory = Path.GetFullPath(output ?? exportDirectory);
            return parts.Select(part => Path.Combine(directory, part.DefaultFileName)).ToList();
        }

        var first = Path.GetFullPath(output);
        var beside = Path.GetDirectoryName(first)!;
        var stem = Path.GetFileNameWithoutExtension(first);
        var extension = Path.GetExtension(first);
        return parts.Select((part, i) => i == 0 ? first : Path.Combine(beside, $"{stem}-{part.Key}{extension}")).ToList();
    }

    /// <summary>
    /// Every export format writes hosts or URLs; a state of the hashed feed holds neither, and must never be turned into
    /// a readable list, so exporting it is refused.
    /// </summary>
    public static void RefuseHashed(LocalListState state, ExportFormat format)
    {
        if (state.Feed == ListFeed.Hashed)
        {
            throw HashedRefusal(state.List, format);
        }
    }

    /// <summary>The refusal of an export that needs names from a hashed state.</summary>
    public static CliException HashedRefusal(ListName list, ExportFormat format) => new(
        "export-needs-names",
        $"List {list} is held from the hashed feed (ids, scopes and categories, no hosts or URLs); the {format.ToName()} export needs the names and cannot be written from it.",
        "Block from the hashed state with `blocklist squid-helper` or the resolver plugin (docs/hashed-feed.md), or sync the plain feed with a key entitled to it.");

    public static async Task<ExportResult> ExportAsync(
        LocalListState state,
        ExportFormat format,
        RpzOptions rpz,
        IReadOnlyList<string> paths,
        CancellationToken cancellationToken,
        Func<Task>? beforeRename = null,
        FilePermissions? permissions = null)
    {
        RefuseHashed(state, format);
        var exporter = Create(format, rpz, paths);
        if (paths.Count != exporter.Parts.Count)
        {
            throw new ArgumentException($"{format} writes {exporter.Parts.Count} files, {paths.Count} paths given", nameof(paths));
        }

        ExportSummary summary;
        try
        {
            summary = await AtomicFileWriter.WriteTextAsync(paths, (writers, ct) => exporter.WriteAsync(state, writers, ct), cancellationToken, beforeRename, permissions);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException("export-not-writable", $"The export cannot be written: {e.Message}", "Choose an --output in a directory you can write to.");
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new CliException("export-io", $"The export could not be written: {e.Message}", "Check free space and the --output path; the previous export files were left as they were.");
        }

        var files = paths.Select((path, i) => new ExportedFile(exporter.Parts[i].Key, path, new FileInfo(path).Length)).ToList();
        return new ExportResult(format, state.List.Value, state.Version, state.Count, files, summary);
    }

    /// <summary>
    /// Brings an export written for <paramref name="change"/>'s from-version (with <paramref name="previous"/> as its
    /// summary) to <paramref name="state"/> by merging the old file with the change (<see cref="ExportMerge"/>), and
    /// replaces the file atomically (after <paramref name="beforeRename"/>, when given). Null when the format cannot be
    /// merged or the old file is not the expected one: then nothing was written and the caller exports from scratch.
    /// </summary>
    public static async Task<ExportResult?> MergeAsync(
        LocalListState state,
        ExportFormat format,
        RpzOptions rpz,
        IReadOnlyList<string> paths,
        ExportSummary previous,
        ExportChange change,
        CancellationToken cancellationToken,
        Func<Task>? beforeRename = null,
        FilePermissions? permissions = null)
    {
        RefuseHashed(state, format);
        if (Create(format, rpz, paths) is not IMergeableExporter exporter || paths.Count != 1 || !File.Exists(paths[0]))
        {
            return null;
        }

        try
        {
            var summary = ExportMerge.Summarize(exporter, previous, change);
            await using var old = new FileStream(paths[0], FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            await AtomicFileWriter.WriteTextAsync(
                paths,
                async (writers, ct) =>
                {
                    await writers[0].FlushAsync(ct);
                    ExportMerge.Merge(exporter, state.List, old, (change.FromVersion, previous), (state.Version, summary), change, ((StreamWriter)writers[0]).BaseStream, ct);
                    return true;
                },
                cancellationToken,
                beforeRename,
                permissions);
            return new ExportResult(format, state.List.Value, state.Version, state.Count, [new ExportedFile(exporter.Parts[0].Key, paths[0], new FileInfo(paths[0]).Length)], summary, Merged: true);
        }
        catch (ExportMergeMismatchException)
        {
            return null;
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            throw new CliException("export-io", $"The export could not be written: {e.Message}", "Check free space and the --output path; the previous export files were left as they were.");
        }
    }
}
