using System.Security.Cryptography;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.State;

/// <summary>
/// The CLI's state directory. Layout, one folder per list:
/// <code>
/// STATE_DIR/{list}/state.bin           the last good state (see <see cref="StateFile"/>): head, then entries by id
/// STATE_DIR/{list}/manifest.json(.sig) the verified manifest that state came from, as received (written by sync)
/// STATE_DIR/{list}/sync.json           sync's bookkeeping (ETag, next poll, what the exports hold)
/// STATE_DIR/{list}/exports/            default place of exports (blocklist.rpz, hosts, squid-*.txt, ...)
/// </code>
/// <c>state.bin</c> is replaced by renaming a finished, flushed file over it, so a crash leaves the previous good
/// state. A <c>state.json</c> of an older CLI is not read: the hint says to delete it and sync afresh.
/// </summary>
public sealed class LocalStateStore(string root)
{
    public const string StateFileName = "state.bin";

    /// <summary>The JSON state file of CLIs before the binary format.</summary>
    public const string OldStateFileName = "state.json";

    public string Root { get; } = root;

    public string ListDirectory(ListName list) => Path.Combine(Root, list.Value);

    public string StatePath(ListName list) => Path.Combine(ListDirectory(list), StateFileName);

    public string OldStatePath(ListName list) => Path.Combine(ListDirectory(list), OldStateFileName);

    public string ExportDirectory(ListName list) => Path.Combine(ListDirectory(list), "exports");

    /// <summary>The verified manifest the state came from, exactly as received.</summary>
    public string ManifestPath(ListName list) => Path.Combine(ListDirectory(list), "manifest.json");

    /// <summary>Where sync keeps its poll bookkeeping (ETag, next poll time, last export).</summary>
    public string CursorPath(ListName list) => Path.Combine(ListDirectory(list), "sync.json");

    /// <summary>A new temporary file beside the state file (same file system, so renaming it over the state is atomic).</summary>
    public string TemporaryStatePath(ListName list) => Path.Combine(ListDirectory(list), $".{StateFileName}.{Guid.NewGuid():N}.tmp");

    /// <summary>The lists that have a state file (of this or an older CLI), by name.</summary>
    public IReadOnlyList<ListName> ListNames()
    {
        if (!Directory.Exists(Root))
        {
            return [];
        }

        return Directory.EnumerateDirectories(Root)
            .Select(Path.GetFileName)
            .Select(name => ListName.TryParse(name, out var list) ? list : (ListName?)null)
            .OfType<ListName>()
            .Where(list => File.Exists(StatePath(list)) || File.Exists(OldStatePath(list)))
            .OrderBy(list => list.Value, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>True when the list has a state file; an old <c>state.json</c> alone is refused with what to do.</summary>
    public bool Exists(ListName list)
    {
        if (File.Exists(StatePath(list)))
        {
            return true;
        }

        if (File.Exists(OldStatePath(list)))
        {
            throw OldFormat(list);
        }

        return false;
    }

    /// <summary>Reads and checks only the head of a list's state (version, count, checksum): cheap at any list size.</summary>
    public StateFileHeader ReadHeader(ListName list)
    {
        if (!Exists(list))
        {
            throw Missing(list, StatePath(list));
        }

        using var reader = StateFileReader.Open(StatePath(list), list);
        return reader.Header;
    }

    /// <summary>
    /// Reads a list's state; its entries are read from the file (and checked to the end) when enumerated. Every
    /// problem is a <see cref="CliException"/> saying what to do.
    /// </summary>
    public Task<LocalListState> ReadAsync(ListName list, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var header = ReadHeader(list);
        return Task.FromResult(ToState(header, StatePath(list)));
    }

    /// <summary>The state a state file holds, entries read lazily from <paramref name="path"/>.</summary>
    public static LocalListState ToState(StateFileHeader header, string path) =>
        new(header.List, header.Version, new StateFileEntries(path, header.List, header.Count), header.AppliedAt, header.StateHash, header.ManifestSha256, header.Checksum, header.Feed);

    /// <summary>
    /// Replaces a list's state file atomically with <paramref name="state"/> (sorted by id here; its checksum is
    /// computed from the ids when the state carries none). A hashed state is written without expressions.
    /// </summary>
    public async Task WriteAsync(LocalListState state, CancellationToken cancellationToken)
    {
        var entries = state.Entries.OrderBy(e => e.Id.Hex, StringComparer.Ordinal).ToList();
        var checksum = state.Checksum ?? LtHash16.Of(entries.Select(e => e.Id)).ToBytes();
        var temporary = TemporaryStatePath(state.List);
        using (var writer = new StateFileWriter(temporary))
        {
            foreach (var entry in entries)
            {
                // a hashed state never holds an expression, whatever the caller passed
                writer.Write(state.Feed == ListFeed.Hashed ? entry with { Expression = string.Empty } : entry);
            }

            writer.Finish(new StateFileHeader(state.List, state.Version, entries.Count, state.AppliedAt, state.ManifestSha256, checksum, state.Feed));
        }

        await CommitAsync(state.List, temporary, null, cancellationToken);
    }

    /// <summary>
    /// Commits what sync verified: the finished state file <paramref name="temporaryState"/> (written beside the state
    /// by <see cref="StateFileWriter"/>) and, when given, the manifest and its signature as received. The manifest
    /// files are written and flushed first, then renamed; the state file is synced to disk and renamed last, so the
    /// state never names a manifest that is not on disk. On failure the temporary state file is deleted and the old
    /// state stays.
    /// </summary>
    public async Task CommitAsync(ListName list, string temporaryState, (ReadOnlyMemory<byte> Manifest, ReadOnlyMemory<byte> Signature)? manifest, CancellationToken cancellationToken)
    {
        try
        {
            if (manifest is { } files)
            {
                await AtomicFileWriter.WriteTextAsync(
                    [ManifestPath(list), ManifestPath(list) + ".sig"],
                    async (writers, ct) =>
                    {
                        await ((StreamWriter)writers[0]).BaseStream.WriteAsync(files.Manifest, ct);
                        await ((StreamWriter)writers[1]).BaseStream.WriteAsync(files.Signature, ct);
                        return true;
                    },
                    cancellationToken);
            }

            using (var written = new FileStream(temporaryState, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 1))
            {
                written.Flush(flushToDisk: true);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporaryState, StatePath(list), overwrite: true);
            var old = OldStatePath(list);
            if (File.Exists(old))
            {
                File.Delete(old);
            }
        }
        finally
        {
            File.Delete(temporaryState);
        }
    }

    /// <summary>Deletes temporary state files a killed run left behind (never the state itself).</summary>
    public void DeleteLeftovers(ListName list)
    {
        var directory = ListDirectory(list);
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var leftover in Directory.EnumerateFiles(directory, $".{StateFileName}.*.tmp"))
        {
            if (File.GetLastWriteTimeUtc(leftover) < DateTime.UtcNow.AddHours(-1))
            {
                File.Delete(leftover);
            }
        }
    }

    /// <summary>The manifest the state came from, if it is on disk and is the one the state names.</summary>
    public async Task<byte[]?> ReadManifestAsync(string? manifestSha256, ListName list, CancellationToken cancellationToken)
    {
        var path = ManifestPath(list);
        if (manifestSha256 is null || !File.Exists(path))
        {
            return null;
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        return Convert.ToHexStringLower(SHA256.HashData(bytes)) == manifestSha256 ? bytes : null;
    }

    internal static CliException Invalid(string path, string reason) => new(
        "state-invalid",
        $"The local state {path} cannot be used: {reason}.",
        "Do not edit state files by hand; delete the list's folder and run `blocklist sync` to fetch a fresh, verified snapshot.");

    internal static CliException Missing(ListName list, string path) => new(
        "state-missing",
        $"There is no local state for list '{list}' ({path} does not exist).",
        "Run `blocklist sync --list " + list + "` first, or point --state-dir / BLOCKLIST_STATE_DIR at the directory sync writes to.");

    private CliException OldFormat(ListName list) => new(
        "state-old-format",
        $"The local state of list '{list}' is a {OldStateFileName} written by an older CLI; this CLI keeps a binary {StateFileName} instead and does not read the old file.",
        $"Delete {OldStatePath(list)} and run `blocklist sync --list {list}`: it fetches a fresh, verified snapshot (the exports are rewritten from it).");
}
