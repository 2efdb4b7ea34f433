using System.Globalization;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Publishing;
using BlocklistService.Domain.Urls;

namespace BlocklistService.Domain.Acceptance;

/// <summary>The refusal codes of <see cref="VersionAcceptance"/>: the rule of docs/protocol.md §7 that failed.</summary>
public static class AcceptanceRule
{
    /// <summary>The service offers a version lower than the one held.</summary>
    public const string Rollback = "rollback";

    /// <summary>The service offers, for the version held, a manifest other than the one accepted.</summary>
    public const string Fork = "fork";

    /// <summary>The offered manifest has expired.</summary>
    public const string Expired = "expired";

    /// <summary>Nothing newer is offered while the manifest held has expired.</summary>
    public const string Frozen = "frozen";

    /// <summary>The steps to the current version skip, overshoot or fall short, or do not match their manifests.</summary>
    public const string Steps = "steps";

    /// <summary>A manifest does not name the previous accepted manifest's SHA-256.</summary>
    public const string Chain = "chain";

    /// <summary>A file's size or SHA-256 is not what its manifest states.</summary>
    public const string Hash = "hash";

    /// <summary>After applying a version, the state hash or the entry count is not what its manifest states.</summary>
    public const string StateHash = "state-hash";

    /// <summary>A manifest is of another list or feed than the one synced.</summary>
    public const string Malformed = "malformed";
}

/// <summary>
/// The rules a client applies before it accepts a list version (docs/protocol.md §7), as pure checks: each answers
/// null when the rule holds, or the <see cref="Rejection"/> (code from <see cref="AcceptanceRule"/>, and what is wrong)
/// when it does not. Signatures are checked by <see cref="Signing.SignatureVerifier"/>; fetching, applying and storing
/// are the caller's. <c>blocklist sync</c> applies them to each update, <c>blocklist audit verify</c> to the whole
/// chain of manifests it replays, so the ISP and the auditor accept and refuse exactly the same things.
/// </summary>
public static class VersionAcceptance
{
    /// <summary>
    /// The updates answer reports the list at <paramref name="reported"/> with nothing to fetch: below the version held
    /// is a rollback.
    /// </summary>
    public static Rejection? CheckReportedVersion(ListName list, long held, long reported) =>
        reported < held
            ? new(AcceptanceRule.Rollback, $"the service reports list {list} at version {reported}, lower than version {held} held here")
            : null;

    /// <summary>
    /// The current manifest against the state held: a lower version is a rollback (never applied); the same version
    /// must be the very manifest accepted (when its SHA-256 is known), else the service forked the list.
    /// </summary>
    public static Rejection? CheckOffered(long heldVersion, string? heldManifestSha256, Manifest offered, string offeredSha256)
    {
        if (offered.Version < heldVersion)
        {
            return new(AcceptanceRule.Rollback, $"the service's manifest is for version {offered.Version}, lower than version {heldVersion} held here (a rollback is never applied)");
        }

        return offered.Version == heldVersion && heldManifestSha256 is { } held && held != offeredSha256
            ? new(AcceptanceRule.Fork, $"the service's manifest for version {offered.Version} differs from the one accepted here for that version")
            : null;
    }

    /// <summary>A manifest is accepted only before it expires (a frozen or replayed feed serves expired ones).</summary>
    public static Rejection? CheckNotExpired(Manifest manifest, DateTimeOffset now) =>
        manifest.Expires <= now
            ? new(AcceptanceRule.Expired, $"the manifest of version {manifest.Version} expired at {Time(manifest.Expires)} (a frozen or replayed feed)")
            : null;

    /// <summary>
    /// Freeze detection: when the service offers nothing newer than <paramref name="held"/> (null: nothing held) and
    /// that manifest has expired, the client says so instead of "up to date".
    /// </summary>
    public static Rejection? CheckFresh(Manifest? held, DateTimeOffset now) =>
        held is not null && held.Expires <= now
            ? new(AcceptanceRule.Frozen, $"the newest version the service offers is {held.Version}, whose manifest expired at {Time(held.Expires)}; the feed looks frozen (the list kept here may be stale)")
            : null;

    /// <summary>
    /// The files that lead from <paramref name="heldVersion"/> to <paramref name="currentVersion"/>: at most one
    /// snapshot, first, of a version up to the current one; then deltas, each producing the next version; ending at
    /// the current version.
    /// </summary>
    public static Rejection? CheckSteps(IReadOnlyList<UpdateStep> steps, long heldVersion, long currentVersion)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var expected = heldVersion + 1;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step.Kind == UpdatePath.Snapshot)
            {
                if (i != 0 || step.Version < 1 || step.Version > currentVersion)
                {
                    return new(AcceptanceRule.Steps, $"the updates answer names a snapshot of version {step.Version} at position {i}; only a first step may be a snapshot, of a version up to {currentVersion}");
                }

                expected = step.Version + 1;
                continue;
            }

            if (step.Version != expected)
            {
                return new(AcceptanceRule.Steps, $"the updates answer skips from version {expected - 1} to a delta producing {step.Version}");
            }

            expected++;
        }

        return expected - 1 != currentVersion
            ? new(AcceptanceRule.Steps, $"the updates answer's steps end at version {expected - 1}, the current manifest is version {currentVersion}")
            : null;
    }

    /// <summary>The manifest fetched for a step must be the manifest of that step's version.</summary>
    public static Rejection? CheckStepManifest(UpdateStep step, Manifest manifest, string manifestPath) =>
        manifest.Version != step.Version
            ? new(AcceptanceRule.Steps, $"{manifestPath} is the manifest of version {manifest.Version}, not {step.Version}")
            : null;

    /// <summary>A snapshot step is loaded only when its manifest vouches for that very snapshot.</summary>
    public static Rejection? CheckSnapshotVouched(UpdateStep step, string path, Manifest manifest) =>
        manifest.Snapshot is not { } reference || reference.Version != step.Version || reference.Path != path
            ? new(AcceptanceRule.Steps, $"the manifest of version {manifest.Version} does not vouch for a snapshot at {path}")
            : null;

    /// <summary>After the last step the state held must be the current version, under the current manifest.</summary>
    public static Rejection? CheckArrived(long version, string? manifestSha256, Manifest current, string currentSha256) =>
        version != current.Version || manifestSha256 != currentSha256
            ? new(AcceptanceRule.Steps, $"the steps end at version {version}, not at the current version {current.Version}")
            : null;

    /// <summary>
    /// The hash chain: <paramref name="manifest"/> names the SHA-256 of the manifest accepted before it. At version 0
    /// nothing came before, so it must name none; a previous manifest whose bytes are not known
    /// (<paramref name="previousSha256"/> null after version 0) cannot be checked.
    /// </summary>
    public static Rejection? CheckChain(Manifest manifest, long previousVersion, string? previousSha256)
    {
        var known = previousVersion == 0 || previousSha256 is not null;
        return known && manifest.PreviousManifestSha256 != previousSha256
            ? new(AcceptanceRule.Chain, $"the manifest of version {manifest.Version} names previous manifest {manifest.PreviousManifestSha256 ?? "none"}, but the manifest of version {previousVersion} accepted before it is {previousSha256 ?? "none"}")
            : null;
    }

    /// <summary>A file is used only when its size and SHA-256 are what <paramref name="manifest"/> states.</summary>
    public static Rejection? CheckFile(ArtifactFile file, ReadOnlySpan<byte> bytes, Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (bytes.Length != file.Size)
        {
            return new(AcceptanceRule.Hash, $"{file.Path} is {bytes.Length} bytes, the manifest of version {manifest.Version} says {file.Size} (truncated or altered)");
        }

        return !file.Matches(bytes)
            ? new(AcceptanceRule.Hash, $"the SHA-256 of {file.Path} is {ArtifactFile.Describe(file.Path, bytes).Sha256}, the manifest of version {manifest.Version} says {file.Sha256} (altered in storage or in transit)")
            : null;
    }

    /// <summary>After applying a version, the state hash and the entry count must be what its manifest states.</summary>
    public static Rejection? CheckState(Manifest manifest, string stateHash, long count)
    {
        if (stateHash != manifest.StateHash)
        {
            return new(AcceptanceRule.StateHash, $"after applying version {manifest.Version} the state hash is {stateHash}, the manifest says {manifest.StateHash} (the list would differ from the published one)");
        }

        return count != manifest.EntryCount
            ? new(AcceptanceRule.StateHash, $"after applying version {manifest.Version} the list holds {count} entries, the manifest says {manifest.EntryCount}")
            : null;
    }

    /// <summary>A manifest is only ever taken for the list and the feed synced (<paramref name="what"/> names it in the reason).</summary>
    public static Rejection? CheckIdentity(Manifest manifest, ListName list, ListFeed feed, string what)
    {
        if (manifest.Feed != feed)
        {
            return new(AcceptanceRule.Malformed, $"{what} is a manifest of the {manifest.Feed.ToWireName()} feed, not of the {feed.ToWireName()} feed synced here");
        }

        return manifest.List != list
            ? new(AcceptanceRule.Malformed, $"{what} is for list '{manifest.List}', not '{list}'")
            : null;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
