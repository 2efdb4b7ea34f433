using System.Collections.Concurrent;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Signing;

namespace BlocklistService.Cli.Tests.Sync;

/// <summary>
/// Publishes a list the way the service does, with the domain's formats and a real P-256 key: per version a signed
/// delta, optionally a snapshot, a signed manifest chained to the previous one, and the current manifest.
/// Files are kept by their blob path (<c>lists/{list}/...</c>) for <see cref="FeedServer"/> to serve.
/// </summary>
internal sealed class TestFeed : IDisposable
{
    private ListState _state;
    private byte[]? _previousManifest;
    private SnapshotReference? _snapshot;

    public TestFeed(string list = "eu")
    {
        List = ListName.Parse(list);
        _state = ListState.Empty(List);
    }

    public ListName List { get; }

    public PemArtifactSigner Signer { get; } = PemArtifactSigner.Generate();

    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    public long Version => _state.Version;

    /// <summary>The newest snapshot's version (0 when none).</summary>
    public long SnapshotVersion => _snapshot?.Version ?? 0;

    public int MinimumWaitSeconds { get; set; }

    public Manifest Publish(
        IEnumerable<ListEntry>? adds = null,
        IEnumerable<EntryId>? removes = null,
        bool snapshot = false,
        Func<Manifest, Manifest>? alter = null,
        DateTimeOffset? created = null,
        PemArtifactSigner? signer = null)
    {
        signer ??= Signer;
        var version = Version + 1;
        var delta = Delta.Create(List, Version, version, adds ?? [], removes ?? []);
        _state.Apply(delta).Value.ToString();
        var deltaBytes = delta.ToGzip();
        Put(ArtifactPaths.Delta(List, version), deltaBytes, signer);
        if (snapshot)
        {
            var snapshotBytes = _state.ToSnapshot().ToGzip();
            Put(ArtifactPaths.Snapshot(List, version), snapshotBytes, signer);
            var file = ArtifactFile.Describe(ArtifactPaths.RelativeSnapshot(version), snapshotBytes);
            _snapshot = new SnapshotReference(version, file.Path, file.Sha256, file.Size);
        }

        var at = created ?? DateTimeOffset.UtcNow.AddMinutes(-1);
        at = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, at.Minute, at.Second, TimeSpan.Zero);
        var manifest = new Manifest
        {
            List = List,
            Version = version,
            EntryCount = _state.Count,
            StateHash = _state.StateHash,
            Created = at,
            Expires = at.AddDays(7),
            Delta = ArtifactFile.Describe(ArtifactPaths.RelativeDelta(version), deltaBytes),
            Snapshot = _snapshot,
            PreviousManifestSha256 = _previousManifest is null ? null : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(_previousManifest)),
            KeyId = signer.KeyId,
            Log = new LogReference(version, new string('a', 64)),
        };
        manifest = alter?.Invoke(manifest) ?? manifest;
        var manifestBytes = manifest.ToJson();
        Put(ArtifactPaths.Manifest(List, version), manifestBytes, signer);
        Put(ArtifactPaths.CurrentManifest(List), manifestBytes, signer);
        _previousManifest = manifestBytes;
        return manifest;
    }

    /// <summary>A file's bytes by its path relative to <c>lists/{list}/</c>.</summary>
    public byte[] this[string relative]
    {
        get => Files[ArtifactPaths.Resolve(List, relative)];
        set => Files[ArtifactPaths.Resolve(List, relative)] = value;
    }

    public static ListEntry Host(string host) => ListEntry.Create(host + "/", EntryScope.Host, "csam");

    public void Dispose() => Signer.Dispose();

    private void Put(string path, byte[] bytes, PemArtifactSigner signer)
    {
        Files[path] = bytes;
        Files[ArtifactPaths.Signature(path)] = signer.Sign(bytes);
    }
}
