using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Signing;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary>
/// <c>blocklist keys pin</c> (ISP, auditor): fetches the service's signing key set, shows each key's id and fingerprint
/// for comparison with the one the operator publishes, and after confirmation (or <c>--yes</c>) adds the key id to the
/// config file's <c>trustedKeys</c>, which is all sync and audit verify need.
/// </summary>
public static class KeyPinCommand
{
    public static Command Create(GlobalOptions global)
    {
        var keyId = new Option<string?>("--key-id") { Description = "Pin this key (64 hex) of the set. Default: the key active now.", HelpName = "id" };
        var yes = new Option<bool>("--yes", "-y") { Description = "Pin without asking (for scripts: compare the id beforehand)." };
        var command = new Command("pin", "Fetch the service's signing keys, show their ids and fingerprints, and pin one in the config file's trustedKeys.") { keyId, yes };
        global.AddHelp(command, """
            Notes:
              The key id is the SHA-256 of the key, so comparing it with the id the operator publishes (on its website,
              in a signed letter, over the phone: the fingerprint is the same digits in groups of four) proves the key.
              Never pin an id only because the service lists it. The config file (--config, $BLOCKLIST_CONFIG, else
              ~/.config/blocklist/config.json) keeps its other settings, owner and mode (comments are not kept); a new
              one is created 0600.

            Examples:
              blocklist keys pin
              blocklist keys pin --key-id 22ad7cd0...6f237 --yes --config /etc/blocklist/config.json
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async output =>
        {
            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken);
            using var service = ServiceClient.FromSettings(settings, requireKey: false, "keys pin");
            using var response = await service.SendAsync(new HttpRequestMessage(HttpMethod.Get, service.Resolve("api/v1/keys")), cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ServiceClient.FailureAsync(response, "Fetching the service's public keys", cancellationToken);
            }

            var parsed = KeySet.FromJson(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            if (!parsed.IsSuccess)
            {
                throw new CliException("keys-invalid", $"GET /api/v1/keys returned an unusable key set: {parsed.Error}.", "Check --api-url; ask the operator.");
            }

            var set = parsed.Value;
            var now = global.Environment.Time.GetUtcNow();
            var wanted = parse.GetValue(keyId)?.ToLowerInvariant();
            var chosen = wanted is null ? set.ActiveAt(now) : set.Find(wanted);
            if (chosen is null)
            {
                throw CliException.Usage(
                    "key-not-in-set",
                    wanted is null ? "The service's key set has no key active now." : $"The key {wanted} is not in the service's key set.",
                    $"Its keys: {string.Join(", ", set.Keys.Select(k => k.KeyId))}. Check the id with the operator.");
            }

            var keys = set.Keys.Select(k => new
            {
                keyId = k.KeyId,
                fingerprint = Fingerprint(k.KeyId),
                activeFrom = k.ActiveFrom,
                retiredAt = k.RetiredAt,
                active = !k.IsRetiredAt(now) && k.ActiveFrom <= now,
            }).ToList();
            if (!output.IsJson)
            {
                var table = new Table().AddColumn("key id").AddColumn("fingerprint").AddColumn("active from").AddColumn("retired");
                foreach (var k in keys)
                {
                    table.AddRow(k.keyId, k.fingerprint, k.activeFrom.ToString("u", System.Globalization.CultureInfo.InvariantCulture), k.retiredAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "");
                }

                output.Console.Write(table);
            }

            var pinned = settings.TrustedKeys.Value.Contains(chosen.KeyId, StringComparer.Ordinal);
            if (!pinned && !parse.GetValue(yes))
            {
                if (!global.Environment.IsInteractive || output.IsJson)
                {
                    throw CliException.Usage("confirm-pin", $"Pinning key {chosen.KeyId} needs confirmation.", "Compare the id with the one the operator publishes, then run again with --yes.");
                }

                global.Environment.Output.Write($"Pin key {chosen.KeyId} (fingerprint {Fingerprint(chosen.KeyId)}) in {settings.ConfigPath}? It must match the id your operator publishes. [y/N] ");
                var answer = (await global.Environment.Input.ReadLineAsync(cancellationToken))?.Trim();
                if (answer is not ("y" or "Y" or "yes"))
                {
                    output.Result(new { pinned = (string?)null, keys }, console => console.WriteLine("Nothing pinned."));
                    return ExitCodes.Failure;
                }
            }

            if (!pinned)
            {
                await AddPinAsync(settings.ConfigPath, chosen.KeyId, cancellationToken);
            }

            output.Result(
                new { pinned = chosen.KeyId, fingerprint = Fingerprint(chosen.KeyId), configFile = settings.ConfigPath, alreadyPinned = pinned, keys },
                console => console.WriteLine(pinned
                    ? $"Key {chosen.KeyId} is already pinned in {settings.ConfigPath}."
                    : $"Pinned key {chosen.KeyId} in {settings.ConfigPath} (trustedKeys); `blocklist sync` and `blocklist audit verify` now check against it."));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    /// <summary>The key id in groups of four hex digits, for reading aloud or comparing by eye.</summary>
    public static string Fingerprint(string keyId) => string.Join(" ", keyId.Chunk(4).Select(c => new string(c)));

    /// <summary>Adds the id to the config file's trustedKeys (creating the file), keeping every other setting.</summary>
    private static async Task AddPinAsync(string configPath, string keyId, CancellationToken cancellationToken)
    {
        JsonObject config;
        if (File.Exists(configPath))
        {
            try
            {
                config = JsonNode.Parse(await File.ReadAllTextAsync(configPath, cancellationToken), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                    ?? throw CliException.Usage("config-invalid", $"The config file {configPath} is not a JSON object.", "Fix it, then pin again.");
            }
            catch (JsonException e)
            {
                throw CliException.Usage("config-invalid", $"The config file {configPath} is not valid: {e.Message}", "Fix it, then pin again.");
            }
        }
        else
        {
            config = [];
        }

        var trusted = config["trustedKeys"] as JsonArray ?? [];
        trusted.Add(keyId);
        config["trustedKeys"] = trusted.DeepClone();
        var text = config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (!File.Exists(configPath))
        {
            await AtomicFileWriter.WriteTextAsync(configPath, async (writer, ct) =>
            {
                await writer.WriteAsync(text.AsMemory(), ct);
                return true;
            }, cancellationToken);
            return;
        }

        // Rewritten in place, not replaced: the file keeps its owner, group and mode (the package's 0640 root:blocklist,
        // so the sync daemons can still read it). The text is a few hundred bytes, written and flushed at once.
        await using var stream = new FileStream(configPath, FileMode.Truncate, FileAccess.Write, FileShare.None);
        await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);
        stream.Flush(flushToDisk: true);
    }
}
