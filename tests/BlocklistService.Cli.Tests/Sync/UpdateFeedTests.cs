using System.Text;
using BlocklistService.Cli.Sync;

namespace BlocklistService.Cli.Tests.Sync;

/// <summary>Reading the updates answer of docs/protocol.md §7.1, and refusing answers that do not follow it.</summary>
public sealed class UpdateFeedTests
{
    private const string Answer = """
        {"list":"eu","since":3,"currentVersion":5,"upToDate":false,
         "manifest":{"version":5,"path":"v/5/manifest.json","url":"/api/v1/lists/eu/artifacts/v/5/manifest.json","signatureUrl":"/api/v1/lists/eu/artifacts/v/5/manifest.json.sig","sha256":"00"},
         "steps":[{"kind":"snapshot","version":4,"path":"v/4/snapshot.json.gz","url":"u","signatureUrl":"s","sha256":"00","size":10},
                  {"kind":"delta","version":5,"path":"v/5/delta.json.gz","url":"u","signatureUrl":"s","sha256":"00","size":20}],
         "minimumWaitSeconds":90,"somethingNew":true}
        """;

    [Fact]
    public void The_documented_answer_names_the_current_manifest_and_the_steps_with_their_manifests()
    {
        var changes = Parse(Answer);

        Assert.Equal(5, changes.Version);
        Assert.Equal("v/5/manifest.json", changes.ManifestPath);
        Assert.Equal(TimeSpan.FromSeconds(90), changes.MinimumWait);
        Assert.Equal(
            [new FetchStep(true, 4, "v/4/snapshot.json.gz", "v/4/manifest.json"), new FetchStep(false, 5, "v/5/delta.json.gz", "v/5/manifest.json")],
            changes.Steps);
    }

    [Fact]
    public void A_list_with_nothing_published_has_no_manifest_and_no_steps()
    {
        var changes = Parse("""{"list":"uk","since":0,"currentVersion":0,"upToDate":true,"manifest":null,"steps":[],"minimumWaitSeconds":60}""");

        Assert.Equal(0, changes.Version);
        Assert.Equal("manifest.json", changes.ManifestPath);
        Assert.Empty(changes.Steps);
    }

    [Theory]
    [InlineData("\"currentVersion\":5", "\"version\":5", "currentVersion")]
    [InlineData("\"currentVersion\":5", "\"currentVersion\":-1", "currentVersion")]
    [InlineData("\"currentVersion\":5", "\"currentVersion\":\"5\"", "currentVersion")]
    [InlineData("\"kind\":\"delta\",\"version\":5", "\"kind\":\"delta\",\"version\":\"5\"", "steps[1]")]
    [InlineData("\"path\":\"v/5/manifest.json\"", "\"path\":\"../../admin/keys\"", "manifest.path")]
    [InlineData("\"path\":\"v/5/manifest.json\"", "\"path\":\"v/4/manifest.json\"", "manifest.path")]
    [InlineData("\"kind\":\"snapshot\"", "\"kind\":\"delta\"", "steps[0]")]
    [InlineData("\"kind\":\"delta\",\"version\":5", "\"kind\":\"delta\",\"version\":6", "steps[1]")]
    [InlineData("\"path\":\"v/5/delta.json.gz\"", "\"path\":\"v/5/manifest.json\"", "steps[1].path")]
    [InlineData("\"path\":\"v/4/snapshot.json.gz\"", "\"path\":\"/etc/passwd\"", "steps[0].path")]
    [InlineData("\"minimumWaitSeconds\":90", "\"minimumWaitSeconds\":\"soon\"", "minimumWaitSeconds")]
    public void Answers_that_do_not_follow_the_protocol_are_refused_naming_the_field(string from, string to, string field)
    {
        Assert.Contains(from, Answer);
        var error = Assert.Throws<CliException>(() => Parse(Answer.Replace(from, to, StringComparison.Ordinal)));

        Assert.Equal("updates-malformed", error.Code);
        Assert.Contains(field, error.Message);
    }

    private static PollAnswer.Changes Parse(string json) => UpdateFeed.Parse(Encoding.UTF8.GetBytes(json), "\"etag\"", null);
}
