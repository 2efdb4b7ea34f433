using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlocklistService.Cli.Service;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Signing;

namespace BlocklistService.Cli.Sync;

/// <summary>
/// Follows the service's signing-key rotations for sync. The keys trusted are the pins (configuration) plus the keys of
/// the newest key set accepted so far, kept in <c>STATE_DIR/trusted-keys.json</c>. When an artifact names a key that
/// is not trusted, <see cref="FollowAsync"/> fetches the current key set (<c>GET /api/v1/keys</c>) and the sets between
/// the one held and it (<c>?sequence=N</c>), accepts them only along a chain of signatures from a trusted key with
/// rising sequence numbers (<see cref="KeyRotationVerifier"/>), and only then trusts the new keys and records the set.
/// A set not signed by a trusted key, or an older one, is refused and nothing changes.
/// </summary>
public sealed class KeyRotationFollower
{
    public const string FileName = "trusted-keys.json";
    public const string FileFormat = "blocklist-trusted-keys/1";

    private const int MaxKeySetBytes = 1 << 20;
    private const int MaxSignatureBytes = 1 << 10;
    private const long MaxWalk = 1000;

    private readonly ServiceClient _service;
    private readonly string _path;

    private KeyRotationFollower(ServiceClient service, string path, KeyTrust trust)
    {
        _service = service;
        _path = path;
        Trust = trust;
        Verifier = SignatureVerifier.FromSpki(trust.Keys.Select(k => (ReadOnlyMemory<byte>)k.Spki));
    }

    /// <summary>What is trusted now.</summary>
    public KeyTrust Trust { get; private set; }

    /// <summary>The verifier over <see cref="Trust"/>'s keys; keys accepted later are added to this same instance.</summary>
    public SignatureVerifier Verifier { get; }

    /// <summary>The pins plus what <c>trusted-keys.json</c> in <paramref name="stateDirectory"/> records (a malformed file is a usage error).</summary>
    public static async Task<KeyRotationFollower> LoadAsync(ServiceClient service, IReadOnlyList<ReadOnlyMemory<byte>> pins, string stateDirectory, CancellationToken cancellationToken)
    {
        var path = Path.Combine(stateDirectory, FileName);
        var trust = KeyTrust.Pin(pins);
        if (File.Exists(path))
        {
            var stored = Read(await File.ReadAllBytesAsync(path, cancellationToken), path);
            trust = new KeyTrust(stored.Sequence, stored.Keys).With(trust.Keys);
        }

        return new KeyRotationFollower(service, path, trust);
    }

    /// <summary>
    /// Makes <paramref name="keyId"/> trusted by following the service's key sets from what is trusted now, or throws a
    /// <c>refused-key-set</c> refusal saying why (the trust and the file stay as they were). False, changing nothing,
    /// when the service publishes no key set at all (404): the artifact is then refused as signed by an unpinned key.
    /// </summary>
    public async Task<bool> FollowAsync(string keyId, CancellationToken cancellationToken)
    {
        var current = await FetchAsync(null, cancellationToken);
        if (current is null)
        {
            return false;
        }

        var parsed = KeySet.FromJson(current.Document);
        if (!parsed.TryGetValue(out var currentSet))
        {
            throw Refused(keyId, $"the service's key set is malformed: {parsed.Error}");
        }

        if (currentSet.Sequence <= Trust.Sequence)
        {
            throw Refused(keyId, $"the service's key set {currentSet.Sequence} is not newer than the key set {Trust.Sequence} accepted here");
        }

        if (currentSet.Sequence - Trust.Sequence > MaxWalk)
        {
            throw Refused(keyId, $"the service's key set {currentSet.Sequence} is more than {MaxWalk} rotations ahead of the one held ({Trust.Sequence})");
        }

        var chain = new List<SignedKeySet>();
        for (var sequence = Trust.Sequence + 1; sequence < currentSet.Sequence; sequence++)
        {
            chain.Add(await FetchAsync(sequence, cancellationToken) ?? throw Refused(keyId, $"the service has no key set {sequence}, between the one held ({Trust.Sequence}) and its current one ({currentSet.Sequence})"));
        }

        chain.Add(current);
        var result = KeyRotationVerifier.Follow(Trust, chain);
        if (!result.Accepted)
        {
            throw Refused(keyId, result.Reason!);
        }

        if (result.Trust.Find(keyId) is null)
        {
            throw Refused(keyId, $"key {keyId} is not in the service's key set {currentSet.Sequence}");
        }

        await WriteAsync(current, currentSet, cancellationToken);
        foreach (var key in result.Trust.Keys)
        {
            Verifier.Pin(key.Spki);
        }

        Trust = result.Trust;
        return true;
    }

    /// <summary>A key set and its signature; null when the service answers 404 for either.</summary>
    private async Task<SignedKeySet?> FetchAsync(long? sequence, CancellationToken cancellationToken)
    {
        var query = sequence is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"?sequence={sequence}");
        var document = await GetAsync("api/v1/keys" + query, MaxKeySetBytes, sequence, cancellationToken);
        var signature = document is null ? null : await GetAsync("api/v1/keys/signature" + query, MaxSignatureBytes, sequence, cancellationToken);
        return document is null || signature is null ? null : new SignedKeySet(document, signature);
    }

    private async Task<byte[]?> GetAsync(string relative, int maxBytes, long? sequence, CancellationToken cancellationToken)
    {
        using var response = await _service.SendAsync(new HttpRequestMessage(HttpMethod.Get, _service.Resolve(relative)), cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await ServiceClient.FailureAsync(response, sequence is null ? "Fetching the service's key set" : $"Fetching key set {sequence}", cancellationToken);
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return bytes.Length <= maxBytes ? bytes : throw Refusal.Of("key-set", $"GET /{relative} answered {bytes.Length} bytes, more than the {maxBytes} a key set or signature may have");
    }

    private async Task WriteAsync(SignedKeySet accepted, KeySet set, CancellationToken cancellationToken)
    {
        var document = new JsonObject
        {
            ["format"] = FileFormat,
            ["sequence"] = set.Sequence,
            ["keyIds"] = new JsonArray(set.Keys.Select(k => (JsonNode?)JsonValue.Create(k.KeyId)).ToArray()),
            ["keySet"] = Convert.ToBase64String(accepted.Document),
            ["signature"] = Convert.ToBase64String(accepted.Signature),
        };
        await AtomicFileWriter.WriteTextAsync(_path, async (writer, ct) =>
        {
            await writer.WriteAsync(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).AsMemory(), ct);
            await writer.WriteAsync("\n".AsMemory(), ct);
            return true;
        }, cancellationToken);
    }

    private static KeySet Read(byte[] bytes, string path)
    {
        try
        {
            var root = JsonNode.Parse(bytes)?.AsObject();
            if (root?["format"]?.GetValue<string>() != FileFormat || root["keySet"]?.GetValue<string>() is not { } keySet)
            {
                throw Unreadable(path, $"not a {FileFormat} file");
            }

            var parsed = KeySet.FromJson(Convert.FromBase64String(keySet));
            return parsed.TryGetValue(out var set) ? set : throw Unreadable(path, parsed.Error!);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw Unreadable(path, e.Message);
        }
    }

    private static CliException Unreadable(string path, string problem) => CliException.Usage(
        "trusted-keys-invalid",
        $"{path} is unreadable: {problem}.",
        "It records the signing keys learned by following the service's key rotations. Delete it to start again from the pinned keys alone.");

    private static CliException Refused(string keyId, string problem) =>
        Refusal.Of("key-set", $"an artifact is signed by key {keyId}, which is not trusted, and the service's key sets do not establish it: {problem}");
}
