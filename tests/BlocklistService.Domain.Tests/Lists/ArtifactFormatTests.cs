using System.Text;
using BlocklistService.Domain.Lists;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Lists;

public sealed class ArtifactFormatTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Property]
    public bool Delta_round_trips_and_its_bytes_do_not_depend_on_input_order(int[] adds, int[] removes, int seed)
    {
        var addEntries = Samples.Entries(adds);
        var removeIds = Samples.Entries(removes?.Select(n => n + 1_000_000)).Select(e => e.Id).ToList();
        var delta = Delta.Create(Samples.Eu, 6, 7, addEntries, removeIds);
        var random = new Random(seed);
        var reordered = Delta.Create(Samples.Eu, 6, 7, addEntries.OrderBy(_ => random.Next()), removeIds.OrderBy(_ => random.Next()));

        var json = delta.ToJson();
        var parsed = Delta.FromJson(json);
        var unzipped = Delta.FromGzip(delta.ToGzip());
        return json.AsSpan().SequenceEqual(reordered.ToJson())
            && delta.ToGzip().AsSpan().SequenceEqual(reordered.ToGzip())
            && parsed.IsSuccess && parsed.Value.ToJson().AsSpan().SequenceEqual(json)
            && parsed.Value.Adds.SequenceEqual(delta.Adds) && parsed.Value.Removes.SequenceEqual(delta.Removes)
            && unzipped.IsSuccess && unzipped.Value.ToJson().AsSpan().SequenceEqual(json);
    }

    [Property]
    public bool Snapshot_round_trips(int[] numbers, int seed)
    {
        var entries = Samples.Entries(numbers);
        var snapshot = Snapshot.Create(Samples.Eu, 12, entries);
        var random = new Random(seed);
        var reordered = Snapshot.Create(Samples.Eu, 12, entries.OrderBy(_ => random.Next()));
        var parsed = Snapshot.FromGzip(snapshot.ToGzip());
        return parsed.IsSuccess
            && parsed.Value.Entries.SequenceEqual(snapshot.Entries)
            && parsed.Value.Version == 12
            && reordered.ToJson().AsSpan().SequenceEqual(snapshot.ToJson());
    }

    [Property]
    public bool Manifest_round_trips(int version, int count, uint createdSeconds, ushort lifetimeHours, bool withSnapshot)
    {
        var manifest = SampleManifest(Math.Abs(version % 100_000) + 1, Math.Abs(count), withSnapshot) with
        {
            Created = Noon.AddSeconds(createdSeconds),
            Expires = Noon.AddSeconds(createdSeconds).AddHours(lifetimeHours + 1),
        };
        var json = manifest.ToJson();
        var parsed = Manifest.FromJson(json);
        return parsed.IsSuccess && parsed.Value == manifest && parsed.Value.ToJson().AsSpan().SequenceEqual(json);
    }

    [Fact]
    public void Manifest_bytes_are_compact_fixed_order_json()
    {
        var text = Encoding.UTF8.GetString(SampleManifest(7, 2, true).ToJson());
        Assert.StartsWith("{\"format\":\"blocklist-manifest/1\",\"list\":\"eu\",\"version\":7,\"entryCount\":2,\"stateHash\":\"", text);
        Assert.Contains("\"created\":\"2026-11-22T12:00:00Z\",\"expires\":\"2026-11-29T12:00:00Z\",\"delta\":{\"path\":\"v/7/delta.json.gz\",", text);
        Assert.DoesNotContain(" ", text);
        Assert.DoesNotContain("\n", text);
    }

    [Fact]
    public void Timestamps_are_written_in_utc_whole_seconds_whatever_the_offset()
    {
        var local = new DateTimeOffset(2026, 11, 22, 14, 0, 0, 123, TimeSpan.FromHours(2));
        var checkpoint = new Domain.Transparency.Checkpoint(3, new string('a', 64), local, new string('b', 64));
        Assert.Contains("\"time\":\"2026-11-22T12:00:00Z\"", Encoding.UTF8.GetString(checkpoint.ToJson()));
    }

    public static TheoryData<string, string> BadManifests => new()
    {
        { "not json", "not valid JSON" },
        { "[]", "document: must be a JSON object" },
        { """{"format":"blocklist-manifest/2"}""", "format: expected \"blocklist-manifest/1\"" },
        { """{"list":"eu"}""", "format: is missing" },
    };

    [Theory]
    [MemberData(nameof(BadManifests))]
    public void Malformed_documents_are_refused_with_the_reason(string json, string reason)
    {
        var result = Manifest.FromJson(Encoding.UTF8.GetBytes(json));
        Assert.False(result.IsSuccess);
        Assert.Contains(reason, result.Error);
    }

    [Theory]
    [InlineData("\"version\":7", "\"version\":7.0", "version: must be an integer")]
    [InlineData("\"version\":7", "\"version\":\"7\"", "version: must be an integer")]
    [InlineData("\"list\":\"eu\"", "\"list\":\"EU\"", "list: 'EU' is not a list name")]
    [InlineData("\"created\":\"2026-11-22T12:00:00Z\"", "\"created\":\"2026-11-22T12:00:00+00:00\"", "created: '2026-11-22T12:00:00+00:00' is not a UTC timestamp")]
    [InlineData("\"expires\":\"2026-11-29T12:00:00Z\"", "\"expires\":\"2026-11-22T11:00:00Z\"", "expires: must be later than created")]
    [InlineData("\"path\":\"v/7/delta.json.gz\"", "\"path\":\"v/7/../../uk/v/7/delta.json.gz\"", "delta.path: must be \"v/7/delta.json.gz\"")]
    [InlineData("\"path\":\"v/7/delta.json.gz\"", "\"path\":\"v/6/delta.json.gz\"", "delta.path")]
    [InlineData("\"path\":\"v/5/snapshot.json.gz\"", "\"path\":\"/etc/passwd\"", "snapshot.path")]
    [InlineData("\"entryCount\":2", "\"entryCount\":2,\"extra\":1", "extra: is not a known property")]
    [InlineData("\"entryCount\":2", "\"entryCount\":2,\"entryCount\":3", "entryCount: appears twice")]
    [InlineData("\"keyId\":\"", "\"keyId\":\"X", "keyId: must be 64 lowercase hex")]
    public void Manifest_fields_are_checked(string original, string replacement, string reason)
    {
        var json = Encoding.UTF8.GetString(SampleManifest(7, 2, true).ToJson());
        Assert.Contains(original, json);
        var result = Manifest.FromJson(Encoding.UTF8.GetBytes(ReplaceFirst(json, original, replacement)));
        Assert.False(result.IsSuccess);
        Assert.Contains(reason, result.Error);
    }

    [Fact]
    public void Previous_manifest_hash_is_required_exactly_after_version_one()
    {
        var first = SampleManifest(1, 0, true) with { PreviousManifestSha256 = new string('c', 64) };
        Assert.Contains("must be null for version 1", Manifest.FromJson(first.ToJson()).Error);
        var later = SampleManifest(2, 0, true) with { PreviousManifestSha256 = null };
        Assert.Contains("is required after version 1", Manifest.FromJson(later.ToJson()).Error);
    }

    [Fact]
    public void Delta_entries_must_be_sorted_and_hash_to_their_id()
    {
        var delta = Delta.Create(Samples.Eu, 1, 2, [Samples.Entry(1), Samples.Entry(2)], []);
        var json = Encoding.UTF8.GetString(delta.ToJson());

        var a = delta.Adds[0];
        var b = delta.Adds[1];
        var aJson = Encoding.UTF8.GetString(Delta.Create(Samples.Eu, 1, 2, [a], []).ToJson()).Split("\"adds\":[")[1].Split("],\"removes\"")[0];
        var bJson = Encoding.UTF8.GetString(Delta.Create(Samples.Eu, 1, 2, [b], []).ToJson()).Split("\"adds\":[")[1].Split("],\"removes\"")[0];
        var swapped = json.Replace(aJson + "," + bJson, bJson + "," + aJson);
        Assert.Contains("adds[1]: ids must be unique and sorted ascending", Delta.FromJson(Encoding.UTF8.GetBytes(swapped)).Error);

        var forged = json.Replace(a.Expression.Replace("&", "\\u0026"), "forged.example/").Replace(a.Expression, "forged.example/");
        Assert.Contains("adds[0].id: is not the SHA-256 of the expression", Delta.FromJson(Encoding.UTF8.GetBytes(forged)).Error);

        var badScope = json.Replace("\"scope\":\"" + a.Scope.ToString().ToLowerInvariant() + "\"", "\"scope\":\"domain\"");
        Assert.Contains("adds[0].scope: 'domain' is not one of exact, path, host", Delta.FromJson(Encoding.UTF8.GetBytes(badScope)).Error);
    }

    [Fact]
    public void Corrupt_gzip_is_refused_with_the_reason()
    {
        var gzip = Delta.Create(Samples.Eu, 1, 2, Samples.Entries(Enumerable.Range(0, 50)), []).ToGzip();
        Assert.Contains("not gzip", Delta.FromGzip(Delta.Create(Samples.Eu, 1, 2, [], []).ToJson()).Error);
        Assert.Contains("corrupt gzip", Delta.FromGzip(gzip.AsSpan(0, gzip.Length / 2)).Error);
        Assert.Contains("format: expected \"blocklist-snapshot/1\", found \"blocklist-delta/1\"", Snapshot.FromGzip(gzip).Error);
    }

    [Fact]
    public void Gzip_pays_for_itself_on_a_realistic_delta()
    {
        var delta = Delta.Create(Samples.Eu, 1, 2, Samples.Entries(Enumerable.Range(0, 1000)), []);
        Assert.True(delta.ToGzip().Length < delta.ToJson().Length * 0.75, $"{delta.ToGzip().Length} vs {delta.ToJson().Length}");
    }

    internal static Manifest SampleManifest(long version, long count, bool withSnapshot) => new()
    {
        List = Samples.Eu,
        Version = version,
        EntryCount = count,
        StateHash = LtHash16.EmptyStateHash,
        Created = Noon,
        Expires = Noon.AddDays(7),
        Delta = new ArtifactFile(ArtifactPaths.RelativeDelta(version), new string('d', 64), 120),
        Snapshot = withSnapshot ? new SnapshotReference(Math.Max(1, version - 2), ArtifactPaths.RelativeSnapshot(Math.Max(1, version - 2)), new string('e', 64), 4000) : null,
        PreviousManifestSha256 = version == 1 ? null : new string('f', 64),
        KeyId = new string('0', 63) + "1",
        Log = new LogReference(42, new string('9', 64)),
    };

    private static string ReplaceFirst(string text, string search, string replacement)
    {
        var at = text.IndexOf(search, StringComparison.Ordinal);
        return text[..at] + replacement + text[(at + search.Length)..];
    }
}
