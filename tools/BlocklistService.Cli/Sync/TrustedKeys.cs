using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using BlocklistService.Domain.Signing;

namespace BlocklistService.Cli.Sync;

/// <summary>
/// Builds the <see cref="SignatureVerifier"/> sync checks every file against, from the pins in the configuration:
/// PEM files of public keys, or key ids (SHA-256 of the SubjectPublicKeyInfo) whose keys are then taken from
/// <c>GET /api/v1/keys</c> — safe because the id is the hash of the key, so the service cannot substitute another.
/// Without a pin, sync refuses to run: a key learned only from the service would trust whoever answers.
/// </summary>
public static class TrustedKeys
{
    public const string MissingHint =
        "Get the service's signing key out of band: from the operator's documentation, or fetch GET /api/v1/keys over a channel " +
        "you trust and compare its keyId with the one the operator publishes. Save the publicKeyPem to a file and pass " +
        "--trusted-key key.pem (or BLOCKLIST_TRUSTED_KEYS, or \"trustedKeys\" in the config file); a 64-hex key id works too.";

    public static async Task<SignatureVerifier> LoadAsync(IReadOnlyList<string> pins, ServiceClient service, CancellationToken cancellationToken) =>
        SignatureVerifier.FromSpki(await LoadKeysAsync(pins, service, cancellationToken));

    /// <summary>The pinned keys as SubjectPublicKeyInfo DER (key ids resolved through the service's current key set).</summary>
    public static async Task<IReadOnlyList<ReadOnlyMemory<byte>>> LoadKeysAsync(IReadOnlyList<string> pins, ServiceClient service, CancellationToken cancellationToken)
    {
        if (pins.Count == 0)
        {
            throw CliException.Usage("trusted-key-missing", "sync refuses to run without a pinned signing key: it could not tell the service's lists from anyone else's.", MissingHint);
        }

        var spkis = new List<ReadOnlyMemory<byte>>();
        var wantedIds = new List<string>();
        foreach (var pin in pins)
        {
            if (CliSettingsLoader.IsKeyId(pin))
            {
                wantedIds.Add(pin);
                continue;
            }

            if (!File.Exists(pin))
            {
                throw CliException.Usage("trusted-key-unreadable", $"The trusted key file {pin} does not exist.", MissingHint);
            }

            var spki = PublicKeys.SpkiFromPem(await File.ReadAllTextAsync(pin, cancellationToken));
            if (!spki.IsSuccess)
            {
                throw CliException.Usage("trusted-key-invalid", $"The trusted key file {pin} is not usable: {spki.Error}.", "It must hold one -----BEGIN PUBLIC KEY----- block of an EC P-256 key (publicKeyPem from GET /api/v1/keys).");
            }

            spkis.Add(spki.Value);
        }

        if (wantedIds.Count > 0)
        {
            using var response = await service.SendAsync(new HttpRequestMessage(HttpMethod.Get, service.Resolve("api/v1/keys")), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ServiceClient.FailureAsync(response, "Fetching the service's public keys", cancellationToken);
            }

            var keySet = KeySet.FromJson(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            if (!keySet.IsSuccess)
            {
                throw new CliException("keys-invalid", $"GET /api/v1/keys returned an unusable key set: {keySet.Error}.", "Pin the key by its PEM file instead (--trusted-key key.pem).");
            }

            foreach (var id in wantedIds)
            {
                var key = keySet.Value.Keys.FirstOrDefault(k => k.KeyId == id)
                    ?? throw new CliException("trusted-key-unknown", $"The pinned key id {id} is not among the service's keys ({string.Join(", ", keySet.Value.Keys.Select(k => k.KeyId))}).", "Check the pinned id with the operator; never pin an id just because the service lists it.");
                spkis.Add(key.Spki);
            }
        }

        return spkis;
    }
}
