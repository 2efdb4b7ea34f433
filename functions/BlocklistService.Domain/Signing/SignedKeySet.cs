using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace BlocklistService.Domain.Signing;

/// <summary>One signing key in a key set: its public key and the moment from which it signs.</summary>
public sealed record KeySetKey(string KeyId, ReadOnlyMemory<byte> PublicKeySpki, DateTimeOffset ActiveFrom)
{
    /// <summary>Creates an entry whose key id is the hex SHA-256 of <paramref name="spki"/>.</summary>
    public static KeySetKey For(ReadOnlyMemory<byte> spki, DateTimeOffset activeFrom) =>
        new(Convert.ToHexStringLower(SHA256.HashData(spki.Span)), spki.ToArray(), activeFrom);
}

/// <summary>
/// The signing keys ISPs trust, in sequence: each new set is signed by a key of the set before it (the
/// <see cref="SignedBy"/> key), so a client pinned to the first key follows every rotation without being told
/// out of band. Key <see cref="ActiveAt"/> a moment is the one with the latest <c>ActiveFrom</c> not after it.
/// </summary>
public sealed class RotationKeySet
{
    private RotationKeySet(long sequence, DateTimeOffset created, string signedBy, IReadOnlyList<KeySetKey> keys)
    {
        Sequence = sequence;
        Created = created;
        SignedBy = signedBy;
        Keys = keys;
    }

    /// <summary>1 for the first set, one more for each rotation.</summary>
    public long Sequence { get; }

    public DateTimeOffset Created { get; }

    /// <summary>Key id of the key whose signature endorses this set: the previous set's active key.</summary>
    public string SignedBy { get; }

    /// <summary>The keys, ordered by <see cref="KeySetKey.ActiveFrom"/>.</summary>
    public IReadOnlyList<KeySetKey> Keys { get; }

    /// <summary>The first key set: one key, signing itself (clients pin it out of band).</summary>
    public static RotationKeySet Genesis(ReadOnlyMemory<byte> spki, DateTimeOffset activeFrom, DateTimeOffset created)
    {
        var key = KeySetKey.For(spki, activeFrom);
        return new RotationKeySet(1, created, key.KeyId, [key]);
    }

    /// <summary>
    /// The next set: every current key plus <paramref name="newKeySpki"/>, which signs from <paramref name="activeFrom"/>;
    /// to be signed by the key active at <paramref name="created"/>.
    /// </summary>
    public RotationKeySet Rotate(ReadOnlyMemory<byte> newKeySpki, DateTimeOffset activeFrom, DateTimeOffset created)
    {
        var key = KeySetKey.For(newKeySpki, activeFrom);
        if (Keys.Any(k => k.KeyId == key.KeyId))
        {
            throw new ArgumentException($"key {key.KeyId} is already in the key set", nameof(newKeySpki));
        }

        var endorser = ActiveAt(created) ?? throw new InvalidOperationException($"no key is active at {created:O} to sign the rotation");
        return new RotationKeySet(Sequence + 1, created, endorser.KeyId, [.. Keys.Append(key).OrderBy(k => k.ActiveFrom)]);
    }

    /// <summary>The key that signs at <paramref name="moment"/>, or null before the first key's start.</summary>
    public KeySetKey? ActiveAt(DateTimeOffset moment) => Keys.LastOrDefault(k => k.ActiveFrom <= moment);

    public KeySetKey? Find(string keyId) => Keys.FirstOrDefault(k => k.KeyId == keyId);

    /// <summary>The exact bytes that are stored as <c>keys.json</c> and signed.</summary>
    public byte[] ToJson()
    {
        var keys = new JsonArray();
        foreach (var key in Keys)
        {
            keys.Add(new JsonObject
            {
                ["keyId"] = key.KeyId,
                ["publicKey"] = PemEncoding.WriteString("PUBLIC KEY", key.PublicKeySpki.Span),
                ["activeFrom"] = key.ActiveFrom.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            });
        }

        var document = new JsonObject
        {
            ["sequence"] = Sequence,
            ["created"] = Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            ["signedBy"] = SignedBy,
            ["keys"] = keys,
        };
        return JsonSerializer.SerializeToUtf8Bytes(document, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Parses <c>keys.json</c>; a malformed document yields null and the reason.</summary>
    public static RotationKeySet? Parse(ReadOnlySpan<byte> json, out string? error)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            var keys = new List<KeySetKey>();
            foreach (var key in root.GetProperty("keys").EnumerateArray())
            {
                var pem = key.GetProperty("publicKey").GetString() ?? string.Empty;
                var fields = PemEncoding.Find(pem);
                if (pem[fields.Label] != "PUBLIC KEY")
                {
                    error = "a key is not a PEM public key";
                    return null;
                }

                var spki = Convert.FromBase64String(pem[fields.Base64Data]);
                var entry = KeySetKey.For(spki, key.GetProperty("activeFrom").GetDateTimeOffset());
                if (entry.KeyId != key.GetProperty("keyId").GetString())
                {
                    error = $"key id {key.GetProperty("keyId").GetString()} is not the SHA-256 of its public key";
                    return null;
                }

                using var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
                if (ecdsa.KeySize != 256)
                {
                    error = $"key {entry.KeyId} is not a P-256 key";
                    return null;
                }

                keys.Add(entry);
            }

            if (keys.Count == 0 || keys.Select(k => k.KeyId).Distinct().Count() != keys.Count)
            {
                error = "a key set needs at least one key and no key twice";
                return null;
            }

            error = null;
            return new RotationKeySet(
                root.GetProperty("sequence").GetInt64(),
                root.GetProperty("created").GetDateTimeOffset(),
                root.GetProperty("signedBy").GetString() ?? string.Empty,
                [.. keys.OrderBy(k => k.ActiveFrom)]);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or CryptographicException)
        {
            error = $"keys.json is malformed: {e.Message}";
            return null;
        }
    }
}

/// <summary>A key set document and its detached DER signature (<c>keys.json</c>, <c>keys.json.sig</c>).</summary>
public sealed record SignedKeySet(byte[] Document, byte[] Signature)
{
    /// <summary>Signs <paramref name="keySet"/> with <paramref name="endorser"/>, which must be the key it names as signer.</summary>
    public static async ValueTask<SignedKeySet> SignAsync(RotationKeySet keySet, IArtifactSigner endorser, CancellationToken cancellationToken)
    {
        if (endorser.KeyId != keySet.SignedBy)
        {
            throw new ArgumentException($"key set {keySet.Sequence} must be signed by {keySet.SignedBy}, not {endorser.KeyId}", nameof(endorser));
        }

        var document = keySet.ToJson();
        return new SignedKeySet(document, await endorser.SignAsync(document, cancellationToken));
    }
}
