using System.Security.Cryptography;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Cli.Sync;

/// <summary>
/// The list sync works on, without its entries in memory: version, count, the running LtHash16 checksum, the manifest
/// the version came from, and the state file that holds the entries — the committed <c>state.bin</c>, or a finished
/// temporary file this run wrote (<see cref="IsTemporary"/>) that becomes the state only when it is committed.
/// </summary>
public sealed class HeldList
{
    private HeldList(ListName list, long version, long count, LtHash16 checksum, byte[]? manifest, string? manifestSha256, string? entriesPath, bool isTemporary, ListFeed feed)
    {
        Feed = feed;
        List = list;
        Version = version;
        Count = count;
        Checksum = checksum;
        Manifest = manifest;
        ManifestSha256 = manifestSha256;
        EntriesPath = entriesPath;
        IsTemporary = isTemporary;
    }

    public ListName List { get; }

    /// <summary>The feed the list is held from: a hashed list's records carry no expressions.</summary>
    public ListFeed Feed { get; }

    /// <summary>0 = nothing held yet.</summary>
    public long Version { get; }

    public long Count { get; }

    public LtHash16 Checksum { get; }

    /// <summary>The exact bytes of the manifest this version was accepted under (null for version 0, or if not on disk).</summary>
    public byte[]? Manifest { get; }

    /// <summary>SHA-256 (hex) of <see cref="Manifest"/>, or of the manifest the local state names.</summary>
    public string? ManifestSha256 { get; }

    /// <summary>The state file holding the entries; null when nothing is held.</summary>
    public string? EntriesPath { get; }

    /// <summary>True for a file written by this run that is not the committed state yet.</summary>
    public bool IsTemporary { get; }

    public static HeldList Empty(ListName list, ListFeed feed = ListFeed.Plain) => new(list, 0, 0, new LtHash16(), null, null, null, false, feed);

    /// <summary>The committed state as its head describes it (the entries stay on disk).</summary>
    public static HeldList FromState(StateFileHeader header, string path, byte[]? manifest)
    {
        var checksum = LtHash16.FromBytes(header.Checksum).Value;
        return new HeldList(header.List, header.Version, header.Count, checksum, manifest, header.ManifestSha256, path, false, header.Feed);
    }

    /// <summary>A version this run wrote to <paramref name="path"/>, accepted under <paramref name="manifest"/>.</summary>
    public static HeldList Written(ListName list, long version, long count, LtHash16 checksum, byte[] manifest, string path, ListFeed feed = ListFeed.Plain) =>
        new(list, version, count, checksum, manifest, Sha256(manifest), path, true, feed);

    /// <summary>The same list once its temporary file was renamed to <paramref name="statePath"/>.</summary>
    public HeldList Committed(string statePath) => new(List, Version, Count, Checksum, Manifest, ManifestSha256, statePath, false, Feed);

    /// <summary>Deletes the file if this run wrote it and it was not committed.</summary>
    public void DeleteIfTemporary()
    {
        if (IsTemporary && EntriesPath is not null)
        {
            File.Delete(EntriesPath);
        }
    }

    /// <summary>The head to write for this list.</summary>
    public StateFileHeader Header(DateTimeOffset appliedAt) => new(List, Version, Count, appliedAt, ManifestSha256, Checksum.ToBytes(), Feed);

    internal static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
