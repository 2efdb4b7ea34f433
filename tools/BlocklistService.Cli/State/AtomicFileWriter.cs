using System.Text;

namespace BlocklistService.Cli.State;

/// <summary>
/// Replaces files so that a reader sees either the old or the new content, never a part: each file is written to a
/// temporary file in its own directory (same file system, so the rename is atomic), flushed to disk, then renamed over
/// the target. With several files, all are written and flushed before the first rename. If writing fails or is
/// cancelled, the temporary files are deleted and the old files stay as they were. Files are created for their owner
/// only (0600) and get <see cref="FilePermissions"/> before the rename, so no reader ever sees them with a wider mode.
/// </summary>
public static class AtomicFileWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes one text file atomically; <paramref name="write"/> gets a UTF-8 writer (no BOM, "\n" line ends).</summary>
    public static async Task<T> WriteTextAsync<T>(string path, Func<TextWriter, CancellationToken, Task<T>> write, CancellationToken cancellationToken, FilePermissions? permissions = null) =>
        await WriteTextAsync([path], (writers, ct) => write(writers[0], ct), cancellationToken, permissions: permissions);

    /// <summary>
    /// Writes several text files, each atomically, renaming them only after all were written and, when given, after
    /// <paramref name="beforeRename"/> completed (e.g. the commit of the state the files describe); if it fails, the
    /// new files are deleted and the old ones stay.
    /// </summary>
    public static async Task<T> WriteTextAsync<T>(
        IReadOnlyList<string> paths,
        Func<IReadOnlyList<TextWriter>, CancellationToken, Task<T>> write,
        CancellationToken cancellationToken,
        Func<Task>? beforeRename = null,
        FilePermissions? permissions = null)
    {
        permissions ??= FilePermissions.OwnerOnly;
        var targets = paths.Select(Path.GetFullPath).ToList();
        if (targets.Distinct(StringComparer.Ordinal).Count() != targets.Count)
        {
            throw new ArgumentException("the same file was named twice", nameof(paths));
        }

        var temporaries = new List<string>();
        var streams = new List<FileStream>();
        var writers = new List<StreamWriter>();
        var renamed = false;
        try
        {
            foreach (var target in targets)
            {
                var directory = Path.GetDirectoryName(target)!;
                Directory.CreateDirectory(directory);
                var temporary = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
                temporaries.Add(temporary);
                var stream = new FileStream(temporary, Create(FileAccess.Write));
                streams.Add(stream);
                writers.Add(new StreamWriter(stream, Utf8, 1 << 16) { NewLine = "\n" });
            }

            var result = await write(writers, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < writers.Count; i++)
            {
                await writers[i].FlushAsync(cancellationToken);
                streams[i].Flush(flushToDisk: true);
                await writers[i].DisposeAsync();
            }

            writers.Clear();
            if (permissions != FilePermissions.OwnerOnly)
            {
                foreach (var temporary in temporaries)
                {
                    permissions.ApplyTo(temporary);
                }
            }

            if (beforeRename is not null)
            {
                await beforeRename();
            }

            for (var i = 0; i < targets.Count; i++)
            {
                File.Move(temporaries[i], targets[i], overwrite: true);
            }

            renamed = true;
            return result;
        }
        finally
        {
            foreach (var writer in writers)
            {
                await writer.DisposeAsync();
            }

            if (!renamed)
            {
                foreach (var temporary in temporaries)
                {
                    File.Delete(temporary);
                }
            }
        }
    }

    /// <summary>Options that create a new file (never an existing one) readable and writable by its owner only.</summary>
    public static FileStreamOptions Create(FileAccess access, int bufferSize = 1 << 16)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = access, Share = FileShare.None, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FilePermissions.OwnerReadWrite;
        }

        return options;
    }
}
