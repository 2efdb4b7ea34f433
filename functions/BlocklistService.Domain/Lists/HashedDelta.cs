using BlocklistService.Domain.Entries;

namespace BlocklistService.Domain.Lists;

/// <summary>
/// The hashed twin of a <see cref="Delta"/> (<c>blocklist-hashed-delta/1</c>, stored as <c>delta.json.gz</c> under
/// <c>lists/{list}/hashed/</c>): the same versions, the same removes, and the same adds without their expressions.
/// Applying it follows the same rules (remove listed ids, then add absent ones); adds and removes are sorted by id.
/// </summary>
public sealed class HashedDelta : ListDelta<HashedEntry>
{
    public const string Format = "blocklist-hashed-delta/1";

    private HashedDelta(ListName list, long fromVersion, long toVersion, HashedEntry[] adds, EntryId[] removes)
        : base(list, fromVersion, toVersion, adds, removes)
    {
    }

    /// <summary>The hashed form of <paramref name="delta"/>: its order and ids carry over unchanged.</summary>
    public static HashedDelta Of(Delta delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        return new HashedDelta(delta.List, delta.FromVersion, delta.ToVersion, delta.Adds.Select(HashedEntry.From).ToArray(), delta.Removes.ToArray());
    }

    /// <inheritdoc/>
    public override byte[] ToJson() => DeltaJson.Write(Format, this, EntryShapes.Hashed);

    /// <summary>Parses canonical JSON; rejects another format, missing or unknown fields, unsorted or duplicate ids.</summary>
    public static Result<HashedDelta> FromJson(ReadOnlySpan<byte> json) =>
        DeltaJson.Read(json, Format, EntryShapes.Hashed, (list, from, to, adds, removes) => new HashedDelta(list, from, to, adds, removes));

    /// <summary>Parses the stored <c>delta.json.gz</c> bytes.</summary>
    public static Result<HashedDelta> FromGzip(ReadOnlySpan<byte> gzip) => ArtifactJson.FromGzip(gzip, Format, FromJson);
}
