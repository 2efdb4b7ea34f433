using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Tests.Lists;

public sealed class ArtifactPathsTests
{
    [Fact]
    public void Paths_follow_the_published_layout()
    {
        Assert.Equal("lists/eu/v/7/delta.json.gz", ArtifactPaths.Delta(Samples.Eu, 7));
        Assert.Equal("lists/eu/v/7/snapshot.json.gz", ArtifactPaths.Snapshot(Samples.Eu, 7));
        Assert.Equal("lists/eu/v/7/manifest.json", ArtifactPaths.Manifest(Samples.Eu, 7));
        Assert.Equal("lists/eu/manifest.json", ArtifactPaths.CurrentManifest(Samples.Eu));
        Assert.Equal("lists/eu/v/7/manifest.json.sig", ArtifactPaths.Signature(ArtifactPaths.Manifest(Samples.Eu, 7)));
        Assert.Equal("lists/eu/v/7/delta.json.gz", ArtifactPaths.Resolve(Samples.Eu, ArtifactPaths.RelativeDelta(7)));
    }

    [Theory]
    [InlineData("v/7/delta.json.gz", true, 7, "delta.json.gz")]
    [InlineData("v/12/snapshot.json.gz", true, 12, "snapshot.json.gz")]
    [InlineData("v/07/delta.json.gz", false, 0, "")]
    [InlineData("v/7/manifest.json", false, 0, "")]
    [InlineData("v/7/../delta.json.gz", false, 0, "")]
    [InlineData("/v/7/delta.json.gz", false, 0, "")]
    [InlineData("v/7/delta.json.gz\n", false, 0, "")]
    [InlineData("v/99999999999999999999/delta.json.gz", false, 0, "")]
    public void Only_versioned_delta_and_snapshot_paths_are_accepted(string path, bool ok, long version, string file)
    {
        Assert.Equal(ok, ArtifactPaths.TryParseRelative(path, out var parsedVersion, out var parsedFile));
        Assert.Equal(version, parsedVersion);
        Assert.Equal(file, parsedFile);
    }
}
