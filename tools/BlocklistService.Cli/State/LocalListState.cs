using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.State;

/// <summary>
/// The last good state of one list on this machine: its name, version and entries, plus what was verified to get it
/// (the manifest's SHA-256 and state hash) and when it was applied. Exports and <c>check</c> read it; sync writes it.
/// </summary>
public sealed record LocalListState(
    ListName List,
    long Version,
    IReadOnlyList<ListEntry> Entries,
    DateTimeOffset AppliedAt,
    string? StateHash = null,
    string? ManifestSha256 = null);
