using System.Security.Cryptography;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Writes the hashed feed of a list version beside the plain one, under <c>lists/{list}/hashed/</c>: the same delta and
/// snapshot without expressions (<see cref="HashedDelta"/>, <see cref="HashedSnapshot"/>) and a manifest with the same
/// version, count, state hash, times and log reference whose files and hash chain are the hashed feed's own. Everything
/// is derived from the plan's delta, the plain manifest and the hashed manifest of the version before, all fixed once
/// the plan is claimed, so a resumed publish writes the same bytes (create-only, as every immutable file).
/// </summary>
public sealed class HashedFeedWriter(IBlobStore blobs, PublishStorageNames names)
{
    /// <summary>
    /// True when <paramref name="version"/> must come with a snapshot for the hashed feed to be complete: the version
    /// before it has no hashed manifest (the list was published before hashed artifacts existed), so the hashed chain
    /// starts here and a hashed client needs a snapshot to start from.
    /// </summary>
    public async Task<bool> NeedsSnapshotAsync(ListName list, long version, CancellationToken cancellationToken) =>
        version > 1 && await PreviousAsync(list, version, cancellationToken) is null;

    /// <summary>
    /// Writes the hashed delta (and snapshot, when <paramref name="snapshot"/> is given) and the hashed manifest of
    /// <paramref name="plain"/>'s version; returns the manifest's bytes for <see cref="PublishCurrentAsync"/>.
    /// </summary>
    public async Task<byte[]> WriteAsync(SignedFiles files, Manifest plain, Delta delta, Snapshot? snapshot, CancellationToken cancellationToken)
    {
        var list = plain.List;
        var previous = await PreviousAsync(list, plain.Version, cancellationToken);
        var deltaBytes = HashedDelta.Of(delta).ToGzip();
        await files.WriteImmutableAsync(names.ArtifactsContainer, Path(list, ArtifactPaths.RelativeDelta(plain.Version)), deltaBytes, "application/gzip", cancellationToken);

        var snapshotReference = previous?.Manifest.Snapshot;
        if (snapshot is not null)
        {
            var snapshotBytes = HashedSnapshot.Of(snapshot).ToGzip();
            await files.WriteImmutableAsync(names.ArtifactsContainer, Path(list, ArtifactPaths.RelativeSnapshot(snapshot.Version)), snapshotBytes, "application/gzip", cancellationToken);
            var described = ArtifactFile.Describe(ArtifactPaths.RelativeSnapshot(snapshot.Version), snapshotBytes);
            snapshotReference = new SnapshotReference(snapshot.Version, described.Path, described.Sha256, described.Size);
        }

        var manifest = (plain with
        {
            Feed = ListFeed.Hashed,
            Delta = ArtifactFile.Describe(ArtifactPaths.RelativeDelta(plain.Version), deltaBytes),
            Snapshot = snapshotReference,

            // the first hashed manifest of a list published before hashed artifacts existed names the plain one before it
            PreviousManifestSha256 = previous?.Sha256 ?? plain.PreviousManifestSha256,
        }).ToJson();
        await files.WriteImmutableAsync(names.ArtifactsContainer, Path(list, ArtifactPaths.RelativeManifest(plain.Version)), manifest, "application/json", cancellationToken);
        return manifest;
    }

    /// <summary>Overwrites <c>lists/{list}/hashed/manifest.json</c> (+ <c>.sig</c>) with a committed version's hashed manifest.</summary>
    public Task PublishCurrentAsync(SignedFiles files, ListName list, byte[] manifest, CancellationToken cancellationToken) =>
        files.OverwriteAsync(names.ArtifactsContainer, Path(list, ArtifactPaths.ManifestFile), manifest, "application/json", cancellationToken);

    /// <summary>
    /// After a crash between the head commit and the pointer overwrites: points the hashed feed's current manifest at
    /// the committed <paramref name="version"/>'s when it differs, signed with the key that manifest names
    /// (<paramref name="filesSignedBy"/>). Returns quietly when that version has no hashed manifest.
    /// </summary>
    public async Task RepairCurrentAsync(ListName list, long version, Func<string, SignedFiles> filesSignedBy, CancellationToken cancellationToken)
    {
        var versioned = await blobs.GetAsync(names.ArtifactsContainer, Path(list, ArtifactPaths.RelativeManifest(version)), cancellationToken);
        if (versioned is null)
        {
            return;
        }

        var current = await blobs.GetAsync(names.ArtifactsContainer, Path(list, ArtifactPaths.ManifestFile), cancellationToken);
        if (current is null || !current.Content.AsSpan().SequenceEqual(versioned.Content))
        {
            var keyId = Manifest.FromJson(versioned.Content).Value.KeyId;
            await PublishCurrentAsync(filesSignedBy(keyId), list, versioned.Content, cancellationToken);
        }
    }

    private async Task<(Manifest Manifest, string Sha256)?> PreviousAsync(ListName list, long version, CancellationToken cancellationToken)
    {
        if (version <= 1)
        {
            return null;
        }

        var blob = await blobs.GetAsync(names.ArtifactsContainer, Path(list, ArtifactPaths.RelativeManifest(version - 1)), cancellationToken);
        if (blob is null)
        {
            return null;
        }

        var parsed = Manifest.FromJson(blob.Content);
        return parsed.IsSuccess && parsed.Value.Feed == ListFeed.Hashed
            ? (parsed.Value, Convert.ToHexStringLower(SHA256.HashData(blob.Content)))
            : throw new InvalidOperationException($"the hashed manifest of '{list}' version {version - 1} is not a hashed manifest: {parsed.Error}");
    }

    private static string Path(ListName list, string relative) => ArtifactPaths.Resolve(list, ListFeed.Hashed, relative);
}
