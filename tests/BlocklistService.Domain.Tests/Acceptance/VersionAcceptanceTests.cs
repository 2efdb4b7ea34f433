using System.Text;
using BlocklistService.Domain.Acceptance;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Publishing;
using BlocklistService.Domain.Urls;

namespace BlocklistService.Domain.Tests.Acceptance;

/// <summary>
/// Each client acceptance rule (docs/protocol.md §7) with a case it accepts and a case it refuses, and the exact
/// refusal code a sync or an audit reports for it.
/// </summary>
public sealed class VersionAcceptanceTests
{
    private static readonly ListName Eu = ListName.Parse("eu");
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly string ShaA = new('a', 64);
    private static readonly string ShaB = new('b', 64);
    private static readonly byte[] DeltaBytes = Encoding.UTF8.GetBytes("delta bytes");

    /// <summary>A rule applied to a case: null when accepted, else the refusal.</summary>
    public sealed record Case(string Name, Func<Rejection?> Check)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case, string?> Cases => new()
    {
        // rollback: the updates answer
        { new("reported version equal to the one held", () => VersionAcceptance.CheckReportedVersion(Eu, 5, 5)), null },
        { new("reported version lower than the one held", () => VersionAcceptance.CheckReportedVersion(Eu, 5, 4)), AcceptanceRule.Rollback },

        // rollback and fork: the current manifest
        { new("a higher version", () => VersionAcceptance.CheckOffered(5, ShaA, Manifest(6), ShaB)), null },
        { new("the same version, the same manifest", () => VersionAcceptance.CheckOffered(5, ShaA, Manifest(5), ShaA)), null },
        { new("the same version, nothing known of the manifest held", () => VersionAcceptance.CheckOffered(5, null, Manifest(5), ShaB)), null },
        { new("a lower version", () => VersionAcceptance.CheckOffered(5, ShaA, Manifest(4), ShaB)), AcceptanceRule.Rollback },
        { new("the same version, another manifest", () => VersionAcceptance.CheckOffered(5, ShaA, Manifest(5), ShaB)), AcceptanceRule.Fork },

        // expiry
        { new("a manifest expiring after now", () => VersionAcceptance.CheckNotExpired(Manifest(6, expires: Now.AddSeconds(1)), Now)), null },
        { new("a manifest expiring now", () => VersionAcceptance.CheckNotExpired(Manifest(6, expires: Now), Now)), AcceptanceRule.Expired },
        { new("nothing newer, the held manifest still valid", () => VersionAcceptance.CheckFresh(Manifest(5, expires: Now.AddDays(1)), Now)), null },
        { new("nothing newer, nothing held", () => VersionAcceptance.CheckFresh(null, Now)), null },
        { new("nothing newer, the held manifest expired", () => VersionAcceptance.CheckFresh(Manifest(5, expires: Now.AddSeconds(-1)), Now)), AcceptanceRule.Frozen },

        // steps
        { new("deltas 6..8 from 5 to 8", () => VersionAcceptance.CheckSteps([Delta(6), Delta(7), Delta(8)], 5, 8)), null },
        { new("a snapshot then deltas from 0", () => VersionAcceptance.CheckSteps([Snapshot(6), Delta(7), Delta(8)], 0, 8)), null },
        { new("a snapshot of the current version alone", () => VersionAcceptance.CheckSteps([Snapshot(8)], 3, 8)), null },
        { new("a delta skipped", () => VersionAcceptance.CheckSteps([Delta(6), Delta(8)], 5, 8)), AcceptanceRule.Steps },
        { new("a delta repeated", () => VersionAcceptance.CheckSteps([Delta(6), Delta(6), Delta(7)], 5, 7)), AcceptanceRule.Steps },
        { new("the steps stop short", () => VersionAcceptance.CheckSteps([Delta(6), Delta(7)], 5, 8)), AcceptanceRule.Steps },
        { new("the steps overshoot", () => VersionAcceptance.CheckSteps([Delta(6), Delta(7)], 5, 6)), AcceptanceRule.Steps },
        { new("a snapshot after a delta", () => VersionAcceptance.CheckSteps([Delta(6), Snapshot(7)], 5, 7)), AcceptanceRule.Steps },
        { new("a snapshot beyond the current version", () => VersionAcceptance.CheckSteps([Snapshot(9)], 0, 8)), AcceptanceRule.Steps },
        { new("no steps while behind", () => VersionAcceptance.CheckSteps([], 5, 6)), AcceptanceRule.Steps },
        { new("a step's manifest of its version", () => VersionAcceptance.CheckStepManifest(Delta(6), Manifest(6), "v/6/manifest.json")), null },
        { new("a step's manifest of another version", () => VersionAcceptance.CheckStepManifest(Delta(6), Manifest(7), "v/6/manifest.json")), AcceptanceRule.Steps },
        { new("a snapshot its manifest vouches for", () => VersionAcceptance.CheckSnapshotVouched(Snapshot(4), "v/4/snapshot.json.gz", Manifest(4, snapshotAt: 4))), null },
        { new("a snapshot its manifest does not name", () => VersionAcceptance.CheckSnapshotVouched(Snapshot(4), "v/4/snapshot.json.gz", Manifest(4))), AcceptanceRule.Steps },
        { new("a snapshot at another path", () => VersionAcceptance.CheckSnapshotVouched(Snapshot(4), "v/3/snapshot.json.gz", Manifest(4, snapshotAt: 4))), AcceptanceRule.Steps },
        { new("the steps arrive at the current manifest", () => VersionAcceptance.CheckArrived(8, ShaA, Manifest(8), ShaA)), null },
        { new("the steps arrive under another manifest", () => VersionAcceptance.CheckArrived(8, ShaB, Manifest(8), ShaA)), AcceptanceRule.Steps },
        { new("the steps arrive at another version", () => VersionAcceptance.CheckArrived(7, ShaA, Manifest(8), ShaA)), AcceptanceRule.Steps },

        // hash chain
        { new("version 1 names no previous manifest", () => VersionAcceptance.CheckChain(Manifest(1, previous: null), 0, null)), null },
        { new("names the manifest accepted before", () => VersionAcceptance.CheckChain(Manifest(6, previous: ShaA), 5, ShaA)), null },
        { new("the previous manifest's bytes unknown", () => VersionAcceptance.CheckChain(Manifest(6, previous: ShaB), 5, null)), null },
        { new("names another previous manifest", () => VersionAcceptance.CheckChain(Manifest(6, previous: ShaB), 5, ShaA)), AcceptanceRule.Chain },
        { new("names none after version 1", () => VersionAcceptance.CheckChain(Manifest(6, previous: null), 5, ShaA)), AcceptanceRule.Chain },
        { new("version 1 names a previous manifest", () => VersionAcceptance.CheckChain(Manifest(1, previous: ShaA), 0, null)), AcceptanceRule.Chain },

        // file size and SHA-256
        { new("the file the manifest states", () => VersionAcceptance.CheckFile(ArtifactFile.Describe("v/6/delta.json.gz", DeltaBytes), DeltaBytes, Manifest(6))), null },
        { new("a truncated file", () => VersionAcceptance.CheckFile(ArtifactFile.Describe("v/6/delta.json.gz", DeltaBytes), DeltaBytes[..^1], Manifest(6))), AcceptanceRule.Hash },
        { new("an altered file of the same size", () => VersionAcceptance.CheckFile(ArtifactFile.Describe("v/6/delta.json.gz", DeltaBytes), Encoding.UTF8.GetBytes("DELTA bytes"), Manifest(6))), AcceptanceRule.Hash },

        // state check
        { new("the stated state hash and count", () => VersionAcceptance.CheckState(Manifest(6, stateHash: ShaA, count: 3), ShaA, 3)), null },
        { new("another state hash", () => VersionAcceptance.CheckState(Manifest(6, stateHash: ShaA, count: 3), ShaB, 3)), AcceptanceRule.StateHash },
        { new("another count", () => VersionAcceptance.CheckState(Manifest(6, stateHash: ShaA, count: 3), ShaA, 4)), AcceptanceRule.StateHash },

        // the list and feed synced
        { new("the list and feed synced", () => VersionAcceptance.CheckIdentity(Manifest(6), Eu, ListFeed.Plain, "the current manifest")), null },
        { new("another list", () => VersionAcceptance.CheckIdentity(Manifest(6), ListName.Parse("uk"), ListFeed.Plain, "the current manifest")), AcceptanceRule.Malformed },
        { new("the other feed", () => VersionAcceptance.CheckIdentity(Manifest(6), Eu, ListFeed.Hashed, "the current manifest")), AcceptanceRule.Malformed },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_rule_accepts_what_the_protocol_allows_and_refuses_the_rest_with_its_code(Case check, string? refusedWith)
    {
        var rejection = check.Check();

        Assert.Equal(refusedWith, rejection?.Code);
        if (rejection is not null)
        {
            Assert.False(string.IsNullOrWhiteSpace(rejection.Message));
        }
    }

    [Fact]
    public void A_refusal_says_what_was_offered_and_what_was_expected()
    {
        var rollback = VersionAcceptance.CheckOffered(5, ShaA, Manifest(4), ShaB)!;
        Assert.Contains("version 4, lower than version 5", rollback.Message, StringComparison.Ordinal);

        var expired = VersionAcceptance.CheckNotExpired(Manifest(6, expires: Now.AddHours(-1)), Now)!;
        Assert.Contains("expired at 2026-12-04T11:00:00Z", expired.Message, StringComparison.Ordinal);

        var chain = VersionAcceptance.CheckChain(Manifest(6, previous: ShaB), 5, ShaA)!;
        Assert.Contains($"names previous manifest {ShaB}", chain.Message, StringComparison.Ordinal);
        Assert.Contains($"version 5 accepted before it is {ShaA}", chain.Message, StringComparison.Ordinal);
    }

    private static UpdateStep Delta(long version) => new(UpdatePath.Delta, version);

    private static UpdateStep Snapshot(long version) => new(UpdatePath.Snapshot, version);

    private static Manifest Manifest(long version, DateTimeOffset? expires = null, string? previous = "", string? stateHash = null, long count = 0, long? snapshotAt = null) => new()
    {
        List = Eu,
        Version = version,
        EntryCount = count,
        StateHash = stateHash ?? new string('0', 64),
        Created = Now.AddDays(-1),
        Expires = expires ?? Now.AddDays(6),
        Delta = new ArtifactFile($"v/{version}/delta.json.gz", new string('c', 64), 100),
        Snapshot = snapshotAt is { } at ? new SnapshotReference(at, $"v/{at}/snapshot.json.gz", new string('d', 64), 1000) : null,
        PreviousManifestSha256 = previous == "" ? (version == 1 ? null : ShaA) : previous,
        KeyId = new string('e', 64),
        Log = new LogReference(version, new string('f', 64)),
    };
}
