using System.Text;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;
using BlocklistService.Domain.Transparency;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Transparency;

public sealed class DecisionLeafTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly DecisionActor Admin = new("0123456789abcdef", "operator-eu", "admin");

    private static DecisionLeaf HoldApproval(string reason = "checked the 12 host-scope entries with hotline-nl") => new()
    {
        Kind = DecisionKind.HoldApprove,
        Actor = Admin,
        Reason = reason,
        DecidedAt = Noon.AddMilliseconds(400),
        Subject = new DecisionSubject
        {
            List = ListName.Parse("eu"),
            Version = 7,
            Hold = "eu-000000000007",
            Digest = new string('d', 64),
            Entries = [EntryId.ForExpression("b.example/"), EntryId.ForExpression("a.example/")],
        },
    };

    [Fact]
    public void A_decision_leaf_has_one_canonical_form()
    {
        var json = Encoding.UTF8.GetString(HoldApproval().ToJson());
        var ids = new[] { EntryId.ForExpression("a.example/").Hex, EntryId.ForExpression("b.example/").Hex }.Order(StringComparer.Ordinal);
        Assert.Equal(
            "{\"format\":\"blocklist-decision/1\",\"decision\":\"hold-approve\",\"actor\":{\"keyId\":\"0123456789abcdef\",\"organisation\":\"operator-eu\",\"role\":\"admin\"}," +
            "\"reason\":\"checked the 12 host-scope entries with hotline-nl\",\"decidedAt\":\"2026-11-22T12:00:00Z\"," +
            "\"subject\":{\"list\":\"eu\",\"version\":7,\"toVersion\":null,\"hold\":\"eu-000000000007\",\"digest\":\"" + new string('d', 64) + "\"," +
            "\"submission\":null,\"item\":null,\"entries\":[\"" + string.Join("\",\"", ids) + "\"],\"key\":null,\"appeal\":null,\"disposition\":null}}",
            json);
    }

    [Property]
    public bool Decision_leaves_round_trip_with_deterministic_bytes(byte kind, string? reasonSeed, uint seconds, int entries, bool withList)
    {
        var reason = string.IsNullOrWhiteSpace(reasonSeed) || DecisionReason.Check(reasonSeed) is not null ? "because" : reasonSeed;
        var leaf = new DecisionLeaf
        {
            Kind = (DecisionKind)(kind % DecisionKindNames.All.Count),
            Actor = Admin,
            Reason = reason,
            DecidedAt = Noon.AddSeconds(seconds),
            Subject = new DecisionSubject
            {
                List = withList ? ListName.Parse("uk") : null,
                Version = withList ? 3 : null,
                ToVersion = withList ? 1 : null,
                Submission = "s-1",
                Item = entries & 7,
                Entries = Enumerable.Range(0, Math.Abs(entries % 5)).Select(i => EntryId.ForExpression($"e{i}.example/")).ToList(),
                Key = "fedcba9876543210",
                Appeal = "T-1",
                Disposition = "keep-pending",
            },
        };
        var json = leaf.ToJson();
        var parsed = DecisionLeaf.FromJson(json);
        var any = TransparencyLeaf.Parse(json);
        return parsed.IsSuccess
            && parsed.Value.ToJson().AsSpan().SequenceEqual(json)
            && parsed.Value.Kind == leaf.Kind && parsed.Value.Reason == reason
            && parsed.Value.Subject.Entries.Count == leaf.Subject.Entries.Count
            && any.IsSuccess && any.Value.Decision is not null && any.Value.Change is null
            && any.Value.EntryIds.Count == leaf.Subject.Entries.Count && any.Value.At == Noon.AddSeconds(seconds);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("   \n", "is required")]
    [InlineData("bad\u0007bell", "control characters")]
    public void A_reason_is_required_and_printable(string? reason, string problem) =>
        Assert.Contains(problem, DecisionReason.Check(reason));

    [Fact]
    public void A_reason_is_at_most_a_thousand_characters()
    {
        Assert.Null(DecisionReason.Check(new string('x', 1000)));
        Assert.Null(DecisionReason.Check("line one\nline two\twith a tab"));
        Assert.Contains("at most 1000", DecisionReason.Check(new string('x', 1001)));
        Assert.Throws<InvalidOperationException>(() => HoldApproval(new string('x', 1001)).ToJson());
    }

    [Fact]
    public void Parsing_rejects_an_unknown_decision_a_missing_reason_and_unsorted_entries()
    {
        var json = Encoding.UTF8.GetString(HoldApproval().ToJson());
        Assert.Contains("decision: 'hold-ignore' is not one of review-approve", DecisionLeaf.FromJson(Encoding.UTF8.GetBytes(json.Replace("hold-approve", "hold-ignore"))).Error);
        Assert.Contains("reason: is required", DecisionLeaf.FromJson(Encoding.UTF8.GetBytes(json.Replace("checked the 12 host-scope entries with hotline-nl", " "))).Error);
        var ids = new[] { EntryId.ForExpression("a.example/").Hex, EntryId.ForExpression("b.example/").Hex }.Order(StringComparer.Ordinal).ToList();
        var swapped = json.Replace($"\"{ids[0]}\",\"{ids[1]}\"", $"\"{ids[1]}\",\"{ids[0]}\"");
        Assert.Contains("subject.entries: must be sorted", DecisionLeaf.FromJson(Encoding.UTF8.GetBytes(swapped)).Error);
        Assert.Contains("actor.keyId: must not be empty", DecisionLeaf.FromJson(Encoding.UTF8.GetBytes(json.Replace("0123456789abcdef", ""))).Error);
        Assert.Contains("subject.extra: is not a known property", DecisionLeaf.FromJson(Encoding.UTF8.GetBytes(json.Replace("\"disposition\":null", "\"disposition\":null,\"extra\":1"))).Error);
    }

    [Fact]
    public void Any_leaf_parses_by_its_format()
    {
        var change = new LogLeaf
        {
            Kind = LogLeafKind.Add, List = ListName.Parse("eu"), Version = 1, EntryId = EntryId.ForExpression("a.example/"), Expression = "a.example/",
            Scope = EntryScope.Path, Category = "csam", Hotline = "h", Reference = "r", VerifiedAt = Noon, PublishedAt = Noon,
        };
        var parsed = TransparencyLeaf.Parse(change.ToJson()).Value;
        Assert.Equal(change.EntryId, Assert.Single(parsed.EntryIds));
        Assert.Null(parsed.Decision);
        Assert.Contains("format: expected", TransparencyLeaf.Parse("{\"format\":\"blocklist-other/1\"}"u8).Error);
    }
}
