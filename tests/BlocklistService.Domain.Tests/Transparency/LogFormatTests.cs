using System.Text;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Tests.Lists;
using BlocklistService.Domain.Transparency;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Transparency;

public sealed class LogFormatTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Property]
    public bool Log_leaf_round_trips_with_deterministic_bytes(int n, byte kind, string? reference, string[]? analysts, bool withReview, uint seconds)
    {
        var entry = Samples.Entry(n);
        var leaf = new LogLeaf
        {
            Kind = (LogLeafKind)(kind % 4),
            List = Samples.Eu,
            Version = 9,
            EntryId = entry.Id,
            Expression = entry.Expression,
            Scope = entry.Scope,
            Category = entry.Category,
            Hotline = "hotline-nl",
            Reference = reference,
            VerifiedAt = Noon.AddSeconds(seconds),
            VerifiedBy = (analysts ?? []).Where(a => a is not null).ToList(),
            ReviewBy = withReview ? Noon.AddDays(365) : null,
            Submission = "s-1",
            Reason = kind % 4 == 0 ? null : "content removed at source",
            PublishedAt = Noon.AddSeconds(seconds).AddMinutes(5),
        };
        var json = leaf.ToJson();
        var parsed = LogLeaf.FromJson(json);
        return parsed.IsSuccess
            && parsed.Value.ToJson().AsSpan().SequenceEqual(json)
            && parsed.Value.LeafHash().AsSpan().SequenceEqual(MerkleHash.Leaf(json))
            && parsed.Value.Kind == leaf.Kind && parsed.Value.Reference == reference;
    }

    [Fact]
    public void Log_leaf_rejects_an_unknown_kind_and_a_forged_entry_id()
    {
        var entry = Samples.Entry(1);
        var leaf = new LogLeaf
        {
            Kind = LogLeafKind.Add, List = Samples.Eu, Version = 1, EntryId = entry.Id, Expression = entry.Expression,
            Scope = entry.Scope, Category = entry.Category, Hotline = "h", Reference = "r", VerifiedAt = Noon, PublishedAt = Noon,
        };
        var json = Encoding.UTF8.GetString(leaf.ToJson());
        Assert.Contains("kind: 'delete' is not one of", LogLeaf.FromJson(Encoding.UTF8.GetBytes(json.Replace("\"kind\":\"add\"", "\"kind\":\"delete\""))).Error);
        var forged = json.Replace(entry.Id.Hex, EntryId.ForExpression("x.example/").Hex);
        Assert.Contains("entryId: is not the SHA-256 of the expression", LogLeaf.FromJson(Encoding.UTF8.GetBytes(forged)).Error);
    }

    [Property]
    public bool Checkpoint_round_trips(uint high, uint low, uint seconds)
    {
        var checkpoint = new Checkpoint(((long)(high >> 1) << 32) | low, new string('a', 64), Noon.AddSeconds(seconds), new string('b', 64));
        var json = checkpoint.ToJson();
        var parsed = Checkpoint.FromJson(json);
        return parsed.IsSuccess && parsed.Value == checkpoint && parsed.Value.ToJson().AsSpan().SequenceEqual(json);
    }

    [Fact]
    public void Checkpoint_rejects_a_negative_size_and_a_short_root()
    {
        var json = Encoding.UTF8.GetString(new Checkpoint(3, new string('a', 64), Noon, new string('b', 64)).ToJson());
        Assert.Contains("size: must be at least 0", Checkpoint.FromJson(Encoding.UTF8.GetBytes(json.Replace("\"size\":3", "\"size\":-3"))).Error);
        Assert.Contains("rootHash: must be 64 lowercase hex", Checkpoint.FromJson(Encoding.UTF8.GetBytes(json.Replace(new string('a', 64), "aa"))).Error);
    }
}
