using System.Text;
using BlocklistService.Domain.Lists;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Lists;

/// <summary>The hashed feed's artifacts: the plain ones without expressions, same ids and order; manifests that cannot be confused.</summary>
public sealed class HashedArtifactTests
{
    [Property]
    public bool A_hashed_delta_keeps_every_id_scope_and_category_and_round_trips(int[] adds, int[] removes)
    {
        var delta = Delta.Create(Samples.Eu, 6, 7, Samples.Entries(adds), Samples.Entries(removes?.Select(n => n + 1_000_000)).Select(e => e.Id));
        var hashed = HashedDelta.Of(delta);
        var parsed = HashedDelta.FromGzip(hashed.ToGzip());

        return parsed.IsSuccess
            && parsed.Value.ToJson().AsSpan().SequenceEqual(hashed.ToJson())
            && parsed.Value.Adds.SequenceEqual(delta.Adds.Select(HashedEntry.From))
            && parsed.Value.Removes.SequenceEqual(delta.Removes)
            && parsed.Value.FromVersion == 6 && parsed.Value.ToVersion == 7;
    }

    [Property]
    public bool A_hashed_snapshot_holds_the_same_ids_in_the_same_order(int[] numbers)
    {
        var snapshot = Snapshot.Create(Samples.Eu, 12, Samples.Entries(numbers));
        var parsed = HashedSnapshot.FromGzip(HashedSnapshot.Of(snapshot).ToGzip());

        return parsed.IsSuccess
            && parsed.Value.Version == 12
            && parsed.Value.Entries.Select(e => e.Id).SequenceEqual(snapshot.Entries.Select(e => e.Id))
            && parsed.Value.Entries.SequenceEqual(snapshot.Entries.Select(HashedEntry.From));
    }

    [Fact]
    public void Hashed_artifacts_carry_no_expression()
    {
        var entries = Samples.Entries([1, 2, 3]);
        var snapshot = Snapshot.Create(Samples.Eu, 3, entries);
        var delta = Delta.Create(Samples.Eu, 2, 3, entries, []);
        foreach (var json in new[] { HashedSnapshot.Of(snapshot).ToJson(), HashedDelta.Of(delta).ToJson() })
        {
            var text = Encoding.UTF8.GetString(json);
            Assert.DoesNotContain("expression", text);
            Assert.All(entries, e => Assert.DoesNotContain(e.Expression, text));
            Assert.All(entries, e => Assert.Contains(e.Id.Hex, text));
        }
    }

    [Fact]
    public void A_hashed_entry_with_an_expression_or_unsorted_ids_is_refused()
    {
        var entries = Samples.Entries([1, 2]).OrderBy(e => e.Id.Hex, StringComparer.Ordinal).ToList();
        var withExpression = $$"""{"format":"blocklist-hashed-snapshot/1","list":"eu","version":1,"entries":[{"id":"{{entries[0].Id.Hex}}","expression":"{{entries[0].Expression}}","scope":"host","category":"csam"}]}""";
        var unsorted = $$"""{"format":"blocklist-hashed-snapshot/1","list":"eu","version":1,"entries":[{"id":"{{entries[1].Id.Hex}}","scope":"host","category":"csam"},{"id":"{{entries[0].Id.Hex}}","scope":"host","category":"csam"}]}""";

        Assert.False(HashedSnapshot.FromJson(Encoding.UTF8.GetBytes(withExpression)).IsSuccess);
        Assert.False(HashedSnapshot.FromJson(Encoding.UTF8.GetBytes(unsorted)).IsSuccess);
    }

    [Theory]
    [InlineData("blocklist-delta/1")]
    [InlineData("blocklist-hashed-delta/1")]
    public void A_delta_of_either_feed_refuses_unsorted_removes_a_bad_id_and_versions_out_of_order(string format)
    {
        var ids = Samples.Entries([1, 2]).Select(e => e.Id.Hex).Order(StringComparer.Ordinal).ToList();
        (int? Removes, string? Error) Parse(string from, string to, string removes)
        {
            var json = Encoding.UTF8.GetBytes($$"""{"format":"{{format}}","list":"eu","fromVersion":{{from}},"toVersion":{{to}},"adds":[],"removes":[{{removes}}]}""");
            if (format == Delta.Format)
            {
                var plain = Delta.FromJson(json);
                return (plain.IsSuccess ? plain.Value.Removes.Count : null, plain.Error);
            }

            var hashed = HashedDelta.FromJson(json);
            return (hashed.IsSuccess ? hashed.Value.Removes.Count : null, hashed.Error);
        }

        var sorted = Parse("1", "2", $"\"{ids[0]}\",\"{ids[1]}\"");
        Assert.True(sorted.Removes == 2, sorted.Error);
        Assert.Equal("removes[1]: ids must be unique and sorted ascending", Parse("1", "2", $"\"{ids[1]}\",\"{ids[0]}\"").Error);
        Assert.Equal("removes[1]: ids must be unique and sorted ascending", Parse("1", "2", $"\"{ids[0]}\",\"{ids[0]}\"").Error);
        Assert.Equal("removes[0]: must be an entry id (64 lowercase hex characters)", Parse("1", "2", "7").Error);
        Assert.Equal("toVersion: must be greater than fromVersion (2)", Parse("2", "2", "").Error);
    }

    [Fact]
    public void A_hashed_manifest_has_its_own_format_and_parses_back_as_hashed()
    {
        var plain = ArtifactFormatTests.SampleManifest(7, 2, withSnapshot: true);
        var hashed = plain with { Feed = ListFeed.Hashed };
        var json = hashed.ToJson();

        Assert.StartsWith("{\"format\":\"blocklist-hashed-manifest/1\",", Encoding.UTF8.GetString(json));
        var parsed = Manifest.FromJson(json);
        Assert.True(parsed.IsSuccess, parsed.Error);
        Assert.Equal(hashed, parsed.Value);
        Assert.Equal(ListFeed.Plain, Manifest.FromJson(plain.ToJson()).Value.Feed);
        Assert.False(Manifest.FromJson(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(json).Replace("blocklist-hashed-manifest/1", "blocklist-other/1", StringComparison.Ordinal))).IsSuccess);
    }

    [Fact]
    public void The_hashed_feed_lives_in_its_own_folder_with_the_same_relative_names()
    {
        Assert.Equal("lists/eu/hashed/v/7/delta.json.gz", ArtifactPaths.Resolve(Samples.Eu, ListFeed.Hashed, ArtifactPaths.RelativeDelta(7)));
        Assert.Equal("lists/eu/v/7/delta.json.gz", ArtifactPaths.Resolve(Samples.Eu, ListFeed.Plain, ArtifactPaths.RelativeDelta(7)));
        Assert.Equal("lists/eu/hashed/manifest.json", ArtifactPaths.Resolve(Samples.Eu, ListFeed.Hashed, ArtifactPaths.ManifestFile));
    }
}
