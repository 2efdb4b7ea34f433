using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Signing;

/// <summary>
/// One signing key of a key set: its id (hex SHA-256 of the SubjectPublicKeyInfo), its public key as PEM, the moment
/// from which it signs and, once it is retired, the moment from which it no longer does (UTC, whole seconds).
/// </summary>
public sealed record KeySetKey(string KeyId, string PublicKeyPem, DateTimeOffset ActiveFrom, DateTimeOffset? RetiredAt = null)
{
    /// <summary>Describes a key from its SubjectPublicKeyInfo DER.</summary>
    public static KeySetKey For(ReadOnlySpan<byte> spki, DateTimeOffset activeFrom, DateTimeOffset? retiredAt = null) =>
        new(PublicKeys.KeyIdOf(spki), PublicKeys.ToPem(spki), ArtifactJson.ToWireTime(activeFrom), retiredAt is { } r ? ArtifactJson.ToWireTime(r) : null);

    /// <summary>The SubjectPublicKeyInfo DER (checked against <see cref="KeyId"/> when the set was parsed or built).</summary>
    public byte[] Spki => PublicKeys.SpkiFromPem(PublicKeyPem).Value;

    /// <summary>True when the key is retired at <paramref name="moment"/>.</summary>
    public bool IsRetiredAt(DateTimeOffset moment) => RetiredAt is { } retired && moment >= retired;
}

/// <summary>
/// The service's signing keys (<c>blocklist-keys/1</c>; <c>keys.json</c>, <c>keys/{sequence}.json</c>,
/// <c>GET /api/v1/keys</c>). Sets form a chain: set 1 (genesis) holds one key and is signed by it; each later set
/// holds every earlier key plus one new key and is signed (<c>keys.json.sig</c>) by the key of the previous set that
/// is active at the new set's <see cref="Created"/> time, named in <see cref="SignedBy"/>. A client pinned to any key
/// of the chain therefore follows every rotation after it. The key that signs artifacts created at a moment is
/// <see cref="ActiveAt"/>: the latest-starting key whose <c>activeFrom</c> is not after it and that is not retired.
/// </summary>
public sealed class KeySet
{
    public const string Format = "blocklist-keys/1";

    private KeySet(long sequence, DateTimeOffset created, string signedBy, IReadOnlyList<KeySetKey> keys)
    {
        Sequence = sequence;
        Created = created;
        SignedBy = signedBy;
        Keys = keys;
    }

    /// <summary>1 for the genesis set, one more for each rotation.</summary>
    public long Sequence { get; }

    public DateTimeOffset Created { get; }

    /// <summary>Key id of the key whose signature endorses this set (genesis: its own key).</summary>
    public string SignedBy { get; }

    /// <summary>The keys in the order they were added (ascending <see cref="KeySetKey.ActiveFrom"/>).</summary>
    public IReadOnlyList<KeySetKey> Keys { get; }

    /// <summary>The first set: one key, which signs the set itself (clients pin it out of band).</summary>
    public static KeySet Genesis(ReadOnlySpan<byte> spki, DateTimeOffset activeFrom, DateTimeOffset created)
    {
        var key = KeySetKey.For(spki, activeFrom);
        return new KeySet(1, ArtifactJson.ToWireTime(created), key.KeyId, [key]);
    }

    /// <summary>
    /// The next set: these keys (with <paramref name="retire"/>d ones marked) plus <paramref name="spki"/>, which
    /// signs from <paramref name="activeFrom"/>; endorsed by this set's key active at <paramref name="created"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The key is already in the set, or starts before the last key.</exception>
    /// <exception cref="InvalidOperationException">No key of this set is active at <paramref name="created"/>.</exception>
    public KeySet Rotate(ReadOnlySpan<byte> spki, DateTimeOffset activeFrom, DateTimeOffset created, IReadOnlyDictionary<string, DateTimeOffset>? retire = null)
    {
        var added = KeySetKey.For(spki, activeFrom);
        if (Find(added.KeyId) is not null)
        {
            throw new ArgumentException($"key {added.KeyId} is already in key set {Sequence}", nameof(spki));
        }

        if (added.ActiveFrom < Keys[^1].ActiveFrom)
        {
            throw new ArgumentException($"key {added.KeyId} would become active ({ArtifactJson.FormatTime(added.ActiveFrom)}) before the last key of set {Sequence}", nameof(activeFrom));
        }

        var endorser = ActiveAt(created) ?? throw new InvalidOperationException($"no key of set {Sequence} is active at {ArtifactJson.FormatTime(created)} to sign the next set");
        var keys = Keys.Select(k => retire is not null && retire.TryGetValue(k.KeyId, out var at) ? k with { RetiredAt = ArtifactJson.ToWireTime(at) } : k).Append(added).ToList();
        return new KeySet(Sequence + 1, ArtifactJson.ToWireTime(created), endorser.KeyId, keys);
    }

    /// <summary>The key that signs what is created at <paramref name="moment"/>, or null when none is active then.</summary>
    public KeySetKey? ActiveAt(DateTimeOffset moment) =>
        Keys.LastOrDefault(k => k.ActiveFrom <= moment && !k.IsRetiredAt(moment));

    public KeySetKey? Find(string keyId) => Keys.FirstOrDefault(k => k.KeyId == keyId);

    /// <summary>The exact bytes stored as <c>keys/{sequence}.json</c> (and <c>keys.json</c>) and signed.</summary>
    public byte[] ToJson() => ArtifactJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteNumber("sequence", Sequence);
        writer.WriteTime("created", Created);
        writer.WriteString("signedBy", SignedBy);
        writer.WriteStartArray("keys");
        foreach (var key in Keys)
        {
            writer.WriteStartObject();
            writer.WriteString("keyId", key.KeyId);
            writer.WriteString("publicKeyPem", key.PublicKeyPem);
            writer.WriteTime("activeFrom", key.ActiveFrom);
            writer.WriteTimeOrNull("retiredAt", key.RetiredAt);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>Parses and checks a key set: every key id is the hash of its P-256 key, keys ordered and distinct, signer among them or (genesis) the only key.</summary>
    public static Result<KeySet> FromJson(ReadOnlySpan<byte> json) => ArtifactJson.Parse(json, Format, root =>
    {
        var sequence = root.Integer("sequence", 1);
        var created = root.Time("created");
        var signedBy = root.Sha256Hex("signedBy");
        var keys = new List<KeySetKey>();
        foreach (var (element, path) in root.Array("keys"))
        {
            var item = new JsonObjectReader(element, path);
            var keyId = item.Sha256Hex("keyId");
            var pem = item.String("publicKeyPem");
            var activeFrom = item.Time("activeFrom");
            var retiredAt = item.TimeOrNull("retiredAt");
            item.EnsureNoOtherProperties();
            var spki = PublicKeys.SpkiFromPem(pem);
            if (!spki.IsSuccess)
            {
                throw JsonObjectReader.Fail(item.Name("publicKeyPem"), spki.Error!);
            }

            if (PublicKeys.KeyIdOf(spki.Value) != keyId)
            {
                throw JsonObjectReader.Fail(item.Name("keyId"), "is not the SHA-256 of the key's SubjectPublicKeyInfo");
            }

            if (keys.Any(k => k.KeyId == keyId))
            {
                throw JsonObjectReader.Fail(item.Name("keyId"), "appears twice");
            }

            if (keys.Count > 0 && activeFrom < keys[^1].ActiveFrom)
            {
                throw JsonObjectReader.Fail(item.Name("activeFrom"), "keys must be listed in ascending activeFrom order");
            }

            if (retiredAt is { } end && end <= activeFrom)
            {
                throw JsonObjectReader.Fail(item.Name("retiredAt"), "must be later than activeFrom");
            }

            keys.Add(new KeySetKey(keyId, PublicKeys.ToPem(spki.Value), activeFrom, retiredAt));
        }

        if (keys.Count == 0)
        {
            throw JsonObjectReader.Fail("keys", "a key set holds at least one key");
        }

        if (sequence == 1 ? keys.Count != 1 || keys[0].KeyId != signedBy : keys.Count < 2)
        {
            throw JsonObjectReader.Fail(sequence == 1 ? "signedBy" : "keys", sequence == 1
                ? "the genesis set (sequence 1) holds one key and is signed by it"
                : "a rotated set holds the earlier keys and the new one");
        }

        return new KeySet(sequence, created, signedBy, keys);
    });
}

/// <summary>A key set document exactly as stored and its detached DER signature (<c>keys.json</c>, <c>keys.json.sig</c>).</summary>
public sealed record SignedKeySet(byte[] Document, byte[] Signature)
{
    /// <summary>Signs <paramref name="keySet"/> with <paramref name="endorser"/>, which must be the key the set names as its signer.</summary>
    /// <exception cref="ArgumentException"><paramref name="endorser"/> is not <see cref="KeySet.SignedBy"/>.</exception>
    public static async ValueTask<SignedKeySet> SignAsync(KeySet keySet, IArtifactSigner endorser, CancellationToken cancellationToken)
    {
        if (endorser.KeyId != keySet.SignedBy)
        {
            throw new ArgumentException($"key set {keySet.Sequence} must be signed by {keySet.SignedBy}, not {endorser.KeyId}", nameof(endorser));
        }

        var document = keySet.ToJson();
        return new SignedKeySet(document, await endorser.SignAsync(document, cancellationToken));
    }
}
