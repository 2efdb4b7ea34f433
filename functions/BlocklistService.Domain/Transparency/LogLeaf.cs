using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Transparency;

/// <summary>What happened to an entry in a published list version.</summary>
public enum LogLeafKind
{
    /// <summary>The entry became listed.</summary>
    Add,

    /// <summary>The entry stopped being listed (its last backing hotline removed it).</summary>
    Remove,

    /// <summary>A hotline withdrew its backing; the entry stays listed because another hotline still backs it.</summary>
    Withdraw,

    /// <summary>A backing passed its review-by date without re-verification (the entry is delisted if it was the last).</summary>
    Expire,
}

/// <summary>Wire names of <see cref="LogLeafKind"/>: add, remove, withdraw, expire.</summary>
public static class LogLeafKindNames
{
    public static string ToWireName(this LogLeafKind kind) => kind switch
    {
        LogLeafKind.Add => "add",
        LogLeafKind.Remove => "remove",
        LogLeafKind.Withdraw => "withdraw",
        LogLeafKind.Expire => "expire",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string? value, out LogLeafKind kind)
    {
        switch (value)
        {
            case "add": kind = LogLeafKind.Add; return true;
            case "remove": kind = LogLeafKind.Remove; return true;
            case "withdraw": kind = LogLeafKind.Withdraw; return true;
            case "expire": kind = LogLeafKind.Expire; return true;
            default: kind = default; return false;
        }
    }
}

/// <summary>
/// One transparency-log leaf (<c>blocklist-log-leaf/1</c>): a change that reached a published list version, with
/// what an auditor needs to know who asked for it, why, and when. Its canonical JSON bytes are the RFC 6962 leaf;
/// <see cref="LeafHash"/> = SHA-256(0x00 ‖ bytes).
/// </summary>
public sealed record LogLeaf
{
    public const string Format = "blocklist-log-leaf/1";

    public required LogLeafKind Kind { get; init; }

    public required ListName List { get; init; }

    /// <summary>The list version that published the change.</summary>
    public required long Version { get; init; }

    public required EntryId EntryId { get; init; }

    public required string Expression { get; init; }

    public required EntryScope Scope { get; init; }

    public required string Category { get; init; }

    /// <summary>The hotline that submitted or withdrew the backing; null for a change the service made itself.</summary>
    public required string? Hotline { get; init; }

    /// <summary>The hotline's own report reference.</summary>
    public required string? Reference { get; init; }

    /// <summary>When the hotline's analysts verified the content.</summary>
    public required DateTimeOffset? VerifiedAt { get; init; }

    /// <summary>Analyst ids (as the hotline names them), sorted on the wire.</summary>
    public IReadOnlyList<string> VerifiedBy { get; init; } = [];

    /// <summary>When the backing must be re-verified (proportionality), if set.</summary>
    public DateTimeOffset? ReviewBy { get; init; }

    /// <summary>The submission that carried the change; null for expiries.</summary>
    public string? Submission { get; init; }

    /// <summary>Why, in words, e.g. "content removed at source", "appeal upheld", "review-by passed".</summary>
    public string? Reason { get; init; }

    /// <summary>When the version was published.</summary>
    public required DateTimeOffset PublishedAt { get; init; }

    /// <summary>The canonical bytes of the leaf.</summary>
    public byte[] ToJson() => ArtifactJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteString("kind", Kind.ToWireName());
        writer.WriteString("list", List.Value);
        writer.WriteNumber("version", Version);
        writer.WriteString("entryId", EntryId.Hex);
        writer.WriteString("expression", Expression);
        writer.WriteString("scope", Scope.ToWireName());
        writer.WriteString("category", Category);
        writer.WriteStringOrNull("hotline", Hotline);
        writer.WriteStringOrNull("reference", Reference);
        writer.WriteTimeOrNull("verifiedAt", VerifiedAt);
        writer.WriteStartArray("verifiedBy");
        foreach (var analyst in VerifiedBy.Order(StringComparer.Ordinal))
        {
            writer.WriteStringValue(analyst);
        }

        writer.WriteEndArray();
        writer.WriteTimeOrNull("reviewBy", ReviewBy);
        writer.WriteStringOrNull("submission", Submission);
        writer.WriteStringOrNull("reason", Reason);
        writer.WriteTime("publishedAt", PublishedAt);
        writer.WriteEndObject();
    });

    /// <summary>SHA-256(0x00 ‖ <see cref="ToJson"/>).</summary>
    public byte[] LeafHash() => MerkleHash.Leaf(ToJson());

    public static Result<LogLeaf> FromJson(ReadOnlySpan<byte> json) => ArtifactJson.Parse(json, Format, root =>
    {
        var kindText = root.String("kind");
        if (!LogLeafKindNames.TryParse(kindText, out var kind))
        {
            throw JsonObjectReader.Fail("kind", $"'{kindText}' is not one of add, remove, withdraw, expire");
        }

        var leaf = new LogLeaf
        {
            Kind = kind,
            List = root.List("list"),
            Version = root.Integer("version", 1),
            EntryId = root.Id("entryId"),
            Expression = root.NonEmptyString("expression"),
            Scope = root.Scope("scope"),
            Category = root.NonEmptyString("category"),
            Hotline = root.StringOrNull("hotline"),
            Reference = root.StringOrNull("reference"),
            VerifiedAt = root.TimeOrNull("verifiedAt"),
            VerifiedBy = root.Array("verifiedBy")
                .Select(item => item.Element.ValueKind == JsonValueKind.String ? item.Element.GetString()! : throw JsonObjectReader.Fail(item.Path, "must be a string"))
                .ToList(),
            ReviewBy = root.TimeOrNull("reviewBy"),
            Submission = root.StringOrNull("submission"),
            Reason = root.StringOrNull("reason"),
            PublishedAt = root.Time("publishedAt"),
        };
        if (EntryId.ForExpression(leaf.Expression) != leaf.EntryId)
        {
            throw JsonObjectReader.Fail("entryId", "is not the SHA-256 of the expression");
        }

        for (var i = 1; i < leaf.VerifiedBy.Count; i++)
        {
            if (string.CompareOrdinal(leaf.VerifiedBy[i - 1], leaf.VerifiedBy[i]) > 0)
            {
                throw JsonObjectReader.Fail("verifiedBy", "must be sorted");
            }
        }

        return leaf;
    });
}
