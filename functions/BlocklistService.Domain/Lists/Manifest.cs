using System.Security.Cryptography;

namespace BlocklistService.Domain.Lists;

/// <summary>A file a manifest vouches for: its path relative to <c>lists/{list}/</c>, SHA-256 (hex) and size in bytes.</summary>
public sealed record ArtifactFile(string Path, string Sha256, long Size)
{
    /// <summary>Describes <paramref name="bytes"/> stored at <paramref name="path"/>.</summary>
    public static ArtifactFile Describe(string path, ReadOnlySpan<byte> bytes) =>
        new(path, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);

    /// <summary>True when <paramref name="bytes"/> are exactly the file described.</summary>
    public bool Matches(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Size && Convert.ToHexStringLower(SHA256.HashData(bytes)) == Sha256;
}

/// <summary>The latest snapshot at or before a manifest's version.</summary>
public sealed record SnapshotReference(long Version, string Path, string Sha256, long Size)
{
    public ArtifactFile File => new(Path, Sha256, Size);
}

/// <summary>The transparency log's size and root hash (hex) when a version was published.</summary>
public sealed record LogReference(long Size, string RootHash);

/// <summary>
/// The signed statement of one list version (<c>blocklist-manifest/1</c>, stored as plain <c>manifest.json</c>):
/// what the list holds (count and state hash), which files lead to it, when it stops being valid, which manifest
/// came before it (a hash chain) and where the transparency log stood. The hashed feed's manifest
/// (<c>blocklist-hashed-manifest/1</c>, <see cref="Feed"/> = <see cref="ListFeed.Hashed"/>) has the same fields and
/// version, count and state hash; its files and hash chain are the hashed feed's own.
/// </summary>
public sealed record Manifest
{
    public const string Format = "blocklist-manifest/1";

    /// <summary>The format of a hashed feed's manifest: a client of one feed can never take the other's manifest.</summary>
    public const string HashedFormat = "blocklist-hashed-manifest/1";

    /// <summary>Which feed's files this manifest vouches for (its <c>format</c> says it on the wire).</summary>
    public ListFeed Feed { get; init; } = ListFeed.Plain;

    public required ListName List { get; init; }

    /// <summary>1, 2, 3, …</summary>
    public required long Version { get; init; }

    public required long EntryCount { get; init; }

    /// <summary>LtHash16 state hash (64 lowercase hex) of the entry ids listed at this version.</summary>
    public required string StateHash { get; init; }

    /// <summary>UTC, whole seconds on the wire.</summary>
    public required DateTimeOffset Created { get; init; }

    /// <summary>A client refuses the manifest from this instant on.</summary>
    public required DateTimeOffset Expires { get; init; }

    /// <summary>The delta from <see cref="Version"/> − 1 to <see cref="Version"/>, e.g. <c>v/7/delta.json.gz</c>.</summary>
    public required ArtifactFile Delta { get; init; }

    /// <summary>The latest snapshot (possibly of an earlier version); null only when none has been published.</summary>
    public required SnapshotReference? Snapshot { get; init; }

    /// <summary>SHA-256 (hex) of the previous version's manifest bytes; null for version 1.</summary>
    public required string? PreviousManifestSha256 { get; init; }

    /// <summary>Id of the key whose signature accompanies this manifest.</summary>
    public required string KeyId { get; init; }

    public required LogReference Log { get; init; }

    /// <summary>Canonical JSON bytes (what is stored and signed).</summary>
    public byte[] ToJson() => ArtifactJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("format", Feed == ListFeed.Hashed ? HashedFormat : Format);
        writer.WriteString("list", List.Value);
        writer.WriteNumber("version", Version);
        writer.WriteNumber("entryCount", EntryCount);
        writer.WriteString("stateHash", StateHash);
        writer.WriteTime("created", Created);
        writer.WriteTime("expires", Expires);
        writer.WriteStartObject("delta");
        writer.WriteString("path", Delta.Path);
        writer.WriteString("sha256", Delta.Sha256);
        writer.WriteNumber("size", Delta.Size);
        writer.WriteEndObject();
        if (Snapshot is { } snapshot)
        {
            writer.WriteStartObject("snapshot");
            writer.WriteNumber("version", snapshot.Version);
            writer.WriteString("path", snapshot.Path);
            writer.WriteString("sha256", snapshot.Sha256);
            writer.WriteNumber("size", snapshot.Size);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("snapshot");
        }

        writer.WriteStringOrNull("previousManifestSha256", PreviousManifestSha256);
        writer.WriteString("keyId", KeyId);
        writer.WriteStartObject("log");
        writer.WriteNumber("size", Log.Size);
        writer.WriteString("rootHash", Log.RootHash);
        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    /// <summary>
    /// Parses and checks a manifest: exact fields, hashes as 64 lowercase hex, relative paths of the expected form
    /// (the delta at this version, the snapshot at its version ≤ this one), expires after created, and a previous
    /// manifest hash present exactly when version &gt; 1.
    /// </summary>
    public static Result<Manifest> FromJson(ReadOnlySpan<byte> json) => ArtifactJson.Parse(json, [Format, HashedFormat], (root, format) =>
    {
        var list = root.List("list");
        var version = root.Integer("version", 1);
        var entryCount = root.Integer("entryCount", 0);
        var stateHash = root.Sha256Hex("stateHash");
        var created = root.Time("created");
        var expires = root.Time("expires");
        if (expires <= created)
        {
            throw JsonObjectReader.Fail("expires", "must be later than created");
        }

        var deltaReader = root.Object("delta");
        var delta = new ArtifactFile(deltaReader.String("path"), deltaReader.Sha256Hex("sha256"), deltaReader.Integer("size", 1));
        deltaReader.EnsureNoOtherProperties();
        if (!ArtifactPaths.TryParseRelative(delta.Path, out var deltaVersion, out var deltaFile) || deltaFile != ArtifactPaths.DeltaFile || deltaVersion != version)
        {
            throw JsonObjectReader.Fail("delta.path", $"must be \"{ArtifactPaths.RelativeDelta(version)}\"");
        }

        SnapshotReference? snapshot = null;
        if (root.ObjectOrNull("snapshot") is { } snapshotReader)
        {
            snapshot = new SnapshotReference(snapshotReader.Integer("version", 1), snapshotReader.String("path"), snapshotReader.Sha256Hex("sha256"), snapshotReader.Integer("size", 1));
            snapshotReader.EnsureNoOtherProperties();
            if (snapshot.Version > version)
            {
                throw JsonObjectReader.Fail("snapshot.version", $"must not exceed the manifest version ({version})");
            }

            if (snapshot.Path != ArtifactPaths.RelativeSnapshot(snapshot.Version))
            {
                throw JsonObjectReader.Fail("snapshot.path", $"must be \"{ArtifactPaths.RelativeSnapshot(snapshot.Version)}\"");
            }
        }

        var previous = root.Sha256HexOrNull("previousManifestSha256");
        if ((previous is null) != (version == 1))
        {
            throw JsonObjectReader.Fail("previousManifestSha256", version == 1 ? "must be null for version 1" : "is required after version 1");
        }

        var keyId = root.Sha256Hex("keyId");
        var logReader = root.Object("log");
        var log = new LogReference(logReader.Integer("size", 0), logReader.Sha256Hex("rootHash"));
        logReader.EnsureNoOtherProperties();

        return new Manifest
        {
            Feed = format == HashedFormat ? ListFeed.Hashed : ListFeed.Plain,
            List = list,
            Version = version,
            EntryCount = entryCount,
            StateHash = stateHash,
            Created = created,
            Expires = expires,
            Delta = delta,
            Snapshot = snapshot,
            PreviousManifestSha256 = previous,
            KeyId = keyId,
            Log = log,
        };
    });
}
