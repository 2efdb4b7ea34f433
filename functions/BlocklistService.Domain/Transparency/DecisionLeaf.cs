using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Transparency;

/// <summary>What a person decided (docs/protocol.md §6.3).</summary>
public enum DecisionKind
{
    ReviewApprove,
    ReviewReject,
    HoldApprove,
    HoldReject,
    Publish,
    KeyIssue,
    KeyRevoke,
    Withdrawal,
    Revert,
    AppealUphold,
    AppealDismiss,
}

/// <summary>Wire names of <see cref="DecisionKind"/> (<c>review-approve</c>, …).</summary>
public static class DecisionKindNames
{
    private static readonly (DecisionKind Kind, string Name)[] Names =
    [
        (DecisionKind.ReviewApprove, "review-approve"),
        (DecisionKind.ReviewReject, "review-reject"),
        (DecisionKind.HoldApprove, "hold-approve"),
        (DecisionKind.HoldReject, "hold-reject"),
        (DecisionKind.Publish, "publish"),
        (DecisionKind.KeyIssue, "key-issue"),
        (DecisionKind.KeyRevoke, "key-revoke"),
        (DecisionKind.Withdrawal, "withdrawal"),
        (DecisionKind.Revert, "revert"),
        (DecisionKind.AppealUphold, "appeal-uphold"),
        (DecisionKind.AppealDismiss, "appeal-dismiss"),
    ];

    /// <summary>Every wire name, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = Names.Select(n => n.Name).ToArray();

    public static string ToWireName(this DecisionKind kind) =>
        Array.Find(Names, n => n.Kind == kind).Name ?? throw new ArgumentOutOfRangeException(nameof(kind));

    public static bool TryParse(string? value, out DecisionKind kind)
    {
        foreach (var (k, name) in Names)
        {
            if (string.Equals(name, value, StringComparison.Ordinal))
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }
}

/// <summary>The rule for a decision's free-text reason, applied by the API when it takes one and by every parser of a leaf.</summary>
public static class DecisionReason
{
    public const int MaxLength = 1000;

    /// <summary>Null when <paramref name="reason"/> is acceptable, else why not.</summary>
    public static string? Check(string? reason)
    {
        if (reason is null || string.IsNullOrWhiteSpace(reason))
        {
            return "is required: say why, in 1 to 1,000 characters";
        }

        if (reason.Length > MaxLength)
        {
            return $"must be at most {MaxLength} characters (it has {reason.Length})";
        }

        foreach (var c in reason)
        {
            if (char.IsControl(c) && c is not '\n' and not '\t')
            {
                return "must not contain control characters other than line feed and tab";
            }
        }

        return null;
    }
}

/// <summary>Who decided: the API key that made the request, its organisation and its role.</summary>
public sealed record DecisionActor(string KeyId, string Organisation, string Role);

/// <summary>
/// What a decision was about. Every property is optional except <see cref="Entries"/> (possibly empty); which ones a
/// kind fills is listed in docs/protocol.md §6.3. <see cref="Entries"/> are the entries the decision touched; the
/// entry history (<c>GET /api/v1/audit/entries/{id}</c>) shows the decision under each of them.
/// </summary>
public sealed record DecisionSubject
{
    /// <summary>The largest number of entry ids one decision leaf names; a larger change set is named by its <see cref="Digest"/>.</summary>
    public const int MaxEntries = 1000;

    public ListName? List { get; init; }

    /// <summary>The list version the decision is about (the held version, the version a publish or revert produced).</summary>
    public long? Version { get; init; }

    /// <summary>A revert's target: the earlier version whose state the new one has.</summary>
    public long? ToVersion { get; init; }

    /// <summary>A hold's id.</summary>
    public string? Hold { get; init; }

    /// <summary>The SHA-256 (hex) of the change set decided on (holds).</summary>
    public string? Digest { get; init; }

    public string? Submission { get; init; }

    /// <summary>The item's index in <see cref="Submission"/>.</summary>
    public int? Item { get; init; }

    /// <summary>Entry ids the decision touched, sorted on the wire.</summary>
    public IReadOnlyList<EntryId> Entries { get; init; } = [];

    /// <summary>An API key id (key issue and revoke).</summary>
    public string? Key { get; init; }

    /// <summary>An appeal's ticket.</summary>
    public string? Appeal { get; init; }

    /// <summary>A kind's own detail, e.g. a hold rejection's <c>keep-pending</c> or <c>reject</c>.</summary>
    public string? Disposition { get; init; }
}

/// <summary>
/// A transparency-log leaf recording one human decision (<c>blocklist-decision/1</c>): who (key id, organisation,
/// role), what kind, why (a required reason), when, and on what. It sits in the same Merkle tree as the
/// <see cref="LogLeaf"/> changes; its canonical JSON bytes are the RFC 6962 leaf.
/// </summary>
public sealed record DecisionLeaf
{
    public const string Format = "blocklist-decision/1";

    public required DecisionKind Kind { get; init; }

    public required DecisionActor Actor { get; init; }

    /// <summary>Why, in the decider's words (see <see cref="DecisionReason"/>).</summary>
    public required string Reason { get; init; }

    public required DateTimeOffset DecidedAt { get; init; }

    public required DecisionSubject Subject { get; init; }

    /// <summary>Null when the leaf may be written, else what is wrong (the same checks <see cref="FromJson"/> makes).</summary>
    public string? Validate()
    {
        if (DecisionReason.Check(Reason) is { } reason)
        {
            return "reason: " + reason;
        }

        if (string.IsNullOrEmpty(Actor.KeyId) || string.IsNullOrEmpty(Actor.Organisation) || string.IsNullOrEmpty(Actor.Role))
        {
            return "actor: keyId, organisation and role must not be empty";
        }

        if (Subject.Entries.Count > DecisionSubject.MaxEntries)
        {
            return $"subject.entries: at most {DecisionSubject.MaxEntries}";
        }

        if (Subject.Entries.Distinct().Count() != Subject.Entries.Count)
        {
            return "subject.entries: must not repeat an id";
        }

        return Subject.Digest is { } digest && !JsonObjectReader.IsSha256Hex(digest) ? "subject.digest: must be 64 lowercase hex characters" : null;
    }

    /// <summary>The canonical bytes of the leaf.</summary>
    public byte[] ToJson()
    {
        if (Validate() is { } problem)
        {
            throw new InvalidOperationException($"not a valid {Format}: {problem}");
        }

        return ArtifactJson.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("format", Format);
            writer.WriteString("decision", Kind.ToWireName());
            writer.WriteStartObject("actor");
            writer.WriteString("keyId", Actor.KeyId);
            writer.WriteString("organisation", Actor.Organisation);
            writer.WriteString("role", Actor.Role);
            writer.WriteEndObject();
            writer.WriteString("reason", Reason);
            writer.WriteTime("decidedAt", DecidedAt);
            writer.WriteStartObject("subject");
            writer.WriteStringOrNull("list", Subject.List?.Value);
            WriteNumberOrNull(writer, "version", Subject.Version);
            WriteNumberOrNull(writer, "toVersion", Subject.ToVersion);
            writer.WriteStringOrNull("hold", Subject.Hold);
            writer.WriteStringOrNull("digest", Subject.Digest);
            writer.WriteStringOrNull("submission", Subject.Submission);
            WriteNumberOrNull(writer, "item", Subject.Item);
            writer.WriteStartArray("entries");
            foreach (var id in Subject.Entries.Select(e => e.Hex).Order(StringComparer.Ordinal))
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            writer.WriteStringOrNull("key", Subject.Key);
            writer.WriteStringOrNull("appeal", Subject.Appeal);
            writer.WriteStringOrNull("disposition", Subject.Disposition);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    /// <summary>SHA-256(0x00 ‖ <see cref="ToJson"/>).</summary>
    public byte[] LeafHash() => MerkleHash.Leaf(ToJson());

    public static Result<DecisionLeaf> FromJson(ReadOnlySpan<byte> json) => ArtifactJson.Parse(json, Format, root =>
    {
        var kindText = root.String("decision");
        if (!DecisionKindNames.TryParse(kindText, out var kind))
        {
            throw JsonObjectReader.Fail("decision", $"'{kindText}' is not one of {string.Join(", ", DecisionKindNames.All)}");
        }

        var actor = root.Object("actor");
        var decidedActor = new DecisionActor(actor.NonEmptyString("keyId"), actor.NonEmptyString("organisation"), actor.NonEmptyString("role"));
        actor.EnsureNoOtherProperties();
        var reason = root.String("reason");
        if (DecisionReason.Check(reason) is { } badReason)
        {
            throw JsonObjectReader.Fail("reason", badReason);
        }

        var decidedAt = root.Time("decidedAt");
        var subject = root.Object("subject");
        var entries = subject.Array("entries").Select(item => JsonObjectReader.ParseId(item.Element.ValueKind == JsonValueKind.String ? item.Element.GetString() : null, item.Path)).ToList();
        for (var i = 1; i < entries.Count; i++)
        {
            if (string.CompareOrdinal(entries[i - 1].Hex, entries[i].Hex) >= 0)
            {
                throw JsonObjectReader.Fail("subject.entries", "must be sorted, without repeats");
            }
        }

        if (entries.Count > DecisionSubject.MaxEntries)
        {
            throw JsonObjectReader.Fail("subject.entries", $"at most {DecisionSubject.MaxEntries}");
        }

        var decided = new DecisionSubject
        {
            List = subject.IsNull("list") ? null : subject.List("list"),
            Version = subject.IsNull("version") ? null : subject.Integer("version", 1),
            ToVersion = subject.IsNull("toVersion") ? null : subject.Integer("toVersion", 1),
            Hold = subject.StringOrNull("hold"),
            Digest = subject.Sha256HexOrNull("digest"),
            Submission = subject.StringOrNull("submission"),
            Item = subject.IsNull("item") ? null : checked((int)subject.Integer("item", 0)),
            Entries = entries,
            Key = subject.StringOrNull("key"),
            Appeal = subject.StringOrNull("appeal"),
            Disposition = subject.StringOrNull("disposition"),
        };
        subject.EnsureNoOtherProperties();
        return new DecisionLeaf { Kind = kind, Actor = decidedActor, Reason = reason, DecidedAt = decidedAt, Subject = decided };
    });

    private static void WriteNumberOrNull(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}

/// <summary>
/// Any leaf of the transparency log: a published change (<see cref="LogLeaf"/>) or a human decision
/// (<see cref="DecisionLeaf"/>), told apart by their <c>format</c>. Exactly one of the two is set.
/// </summary>
public sealed record TransparencyLeaf(LogLeaf? Change, DecisionLeaf? Decision)
{
    /// <summary>When it happened: a change's <c>publishedAt</c>, a decision's <c>decidedAt</c>.</summary>
    public DateTimeOffset At => Change?.PublishedAt ?? Decision!.DecidedAt;

    /// <summary>The entries whose history shows this leaf.</summary>
    public IReadOnlyList<EntryId> EntryIds => Change is { } change ? [change.EntryId] : Decision!.Subject.Entries;

    /// <summary>The list the leaf names, if any.</summary>
    public ListName? List => Change?.List ?? Decision!.Subject.List;

    public static Result<TransparencyLeaf> Parse(ReadOnlySpan<byte> json)
    {
        // canonical leaves begin with their format, which decides the parser
        if (json.StartsWith("{\"format\":\"blocklist-decision/1\""u8))
        {
            var decision = DecisionLeaf.FromJson(json);
            return decision.IsSuccess
                ? Result<TransparencyLeaf>.Success(new TransparencyLeaf(null, decision.Value))
                : Result<TransparencyLeaf>.Failure(decision.Error!);
        }

        var change = LogLeaf.FromJson(json);
        return change.IsSuccess
            ? Result<TransparencyLeaf>.Success(new TransparencyLeaf(change.Value, null))
            : Result<TransparencyLeaf>.Failure(change.Error!);
    }
}
