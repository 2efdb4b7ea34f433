using System.Text.Json;
using System.Text.Json.Serialization;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.State;

/// <summary>
/// The CLI's state directory. Layout, one folder per list:
/// <code>
/// STATE_DIR/{list}/state.json          the last good state: list, version, entries, state hash, manifest SHA-256
/// STATE_DIR/{list}/manifest.json(.sig) the verified manifest that state came from, as received (written by sync)
/// STATE_DIR/{list}/exports/            default place of exports (blocklist.rpz, hosts, squid-*.txt, ...)
/// </code>
/// <c>state.json</c> is replaced atomically, so a crash leaves the previous good state.
/// </summary>
public sealed class LocalStateStore(string root)
{
    public const string StateFileName = "state.json";
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public string Root { get; } = root;

    public string ListDirectory(ListName list) => Path.Combine(Root, list.Value);

    public string StatePath(ListName list) => Path.Combine(ListDirectory(list), StateFileName);

    public string ExportDirectory(ListName list) => Path.Combine(ListDirectory(list), "exports");

    /// <summary>The lists that have a state file, by name.</summary>
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
            .Where(list => File.Exists(StatePath(list)))
            .OrderBy(list => list.Value, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Reads and checks a list's state; every problem is a <see cref="CliException"/> saying what to do.</summary>
    public async Task<LocalListState> ReadAsync(ListName list, CancellationToken cancellationToken)
    {
        var path = StatePath(list);
        if (!File.Exists(path))
        {
            throw new CliException(
                "state-missing",
                $"There is no local state for list '{list}' ({path} does not exist).",
                "Run `blocklist sync --list " + list + "` first, or point --state-dir / BLOCKLIST_STATE_DIR at the directory sync writes to.");
        }

        StateDocument? document;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            document = await JsonSerializer.DeserializeAsync<StateDocument>(stream, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            throw Invalid(path, $"it is not valid JSON ({e.Message})");
        }

        if (document is null)
        {
            throw Invalid(path, "it holds null");
        }

        if (document.FormatVersion != FormatVersion)
        {
            throw Invalid(path, $"its formatVersion is {document.FormatVersion}, this CLI reads {FormatVersion}");
        }

        if (document.List != list.Value)
        {
            throw Invalid(path, $"it names list '{document.List}', not '{list}'");
        }

        if (document.Version < 0)
        {
            throw Invalid(path, $"its version {document.Version} is negative");
        }

        var entries = new List<ListEntry>(document.Entries?.Count ?? 0);
        var seen = new HashSet<EntryId>();
        for (var i = 0; i < (document.Entries?.Count ?? 0); i++)
        {
            var item = document.Entries![i];
            if (string.IsNullOrEmpty(item.Expression) || !item.Expression.Contains('/'))
            {
                throw Invalid(path, $"entries[{i}] has no expression of the form host/path");
            }

            var id = EntryId.ForExpression(item.Expression);
            if (!EntryId.TryParse(item.Id, out var stated) || stated != id)
            {
                throw Invalid(path, $"entries[{i}] id '{item.Id}' is not the SHA-256 of its expression '{item.Expression}'");
            }

            if (!EntryScopeNames.TryParse(item.Scope, out var scope))
            {
                throw Invalid(path, $"entries[{i}] scope '{item.Scope}' is not exact, path or host");
            }

            if (!seen.Add(id))
            {
                throw Invalid(path, $"entries[{i}] repeats entry {id}");
            }

            entries.Add(new ListEntry(id, item.Expression, scope, item.Category ?? string.Empty));
        }

        return new LocalListState(list, document.Version, entries, document.AppliedAt, document.StateHash, document.ManifestSha256);
    }

    /// <summary>Replaces a list's state file atomically.</summary>
    public async Task WriteAsync(LocalListState state, CancellationToken cancellationToken)
    {
        var document = new StateDocument(
            FormatVersion,
            state.List.Value,
            state.Version,
            state.AppliedAt,
            state.StateHash,
            state.ManifestSha256,
            state.Entries.Select(e => new EntryDocument(e.Id.Hex, e.Expression, e.Scope.ToWireName(), e.Category)).ToList());
        await AtomicFileWriter.WriteTextAsync(
            StatePath(state.List),
            async (writer, ct) =>
            {
                await writer.WriteAsync(JsonSerializer.Serialize(document, Json).AsMemory(), ct);
                await writer.WriteLineAsync();
                return true;
            },
            cancellationToken);
    }

    private static CliException Invalid(string path, string reason) => new(
        "state-invalid",
        $"The local state {path} cannot be used: {reason}.",
        "Do not edit state files by hand; delete the list's folder and run `blocklist sync` to fetch a fresh, verified snapshot.");

    private sealed record StateDocument(
        int FormatVersion,
        string List,
        long Version,
        DateTimeOffset AppliedAt,
        string? StateHash,
        string? ManifestSha256,
        IReadOnlyList<EntryDocument>? Entries);

    private sealed record EntryDocument(string? Id, string? Expression, string? Scope, string? Category);
}
