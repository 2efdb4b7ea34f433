using System.CommandLine;
using System.Globalization;
using BlocklistService.Cli.Audit;
using BlocklistService.Cli.Configuration;
using BlocklistService.Cli.Service;
using BlocklistService.Domain.Signing;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist audit bundle</c> (needs an auditor key) and <c>blocklist audit verify-bundle</c> (offline).</summary>
public static class AuditBundleCommands
{
    public static Command Bundle(GlobalOptions global)
    {
        var from = new Option<string>("--from") { Description = "Start of the range (ISO 8601, inclusive), e.g. 2026-11-01T00:00:00Z.", Required = true };
        var to = new Option<string>("--to") { Description = "End of the range (ISO 8601, exclusive).", Required = true };
        var output = new Argument<string>("out.zip") { Description = "The bundle to write (replaced if it exists)." };
        var command = new Command("bundle", "Write a court-ready bundle: the leaves published in a range, the signed checkpoint at its end, an inclusion proof per leaf, the consistency proof from its start, the key set chain, a README and a standalone verify.py.")
        {
            from, to, output,
        };
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var since = Time(parse.GetValue(from)!, "--from");
            var until = Time(parse.GetValue(to)!, "--to");
            if (until <= since)
            {
                throw CliException.Usage("invalid-range", "--to must be after --from.", "Give a range such as --from 2026-11-01 --to 2026-12-01.");
            }

            var settings = await global.LoadSettingsAsync(parse, new SettingOverrides(), cancellationToken);
            using var service = ServiceClient.FromSettings(settings, requireKey: true, "audit bundle");
            using var http = service.CreateHttpClient();
            var summary = await new AuditBundleWriter(http).WriteAsync(since, until, Path.GetFullPath(parse.GetValue(output)!), null, cancellationToken);
            console.Result(summary, ansi => ansi.MarkupLineInterpolated(
                $"wrote {summary.Path}: leaves {summary.Start}..{summary.End - 1} ({summary.Leaves}) with inclusion proofs in the signed tree of {summary.TreeSize}, {summary.KeySets} key sets{(summary.HasConsistencyProof ? ", consistency proof from " + summary.Start : "")}"));
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }

    public static Command VerifyBundle(GlobalOptions global)
    {
        var bundle = new Argument<string>("bundle.zip") { Description = "A bundle written by `blocklist audit bundle`." };
        var keys = new Option<string[]>("--key")
        {
            Description = "A signing key obtained independently: a PEM file of the public key, or its 64-hex key id (repeatable). Without it the bundle's first key set is trusted and its key ids are printed to compare.",
            HelpName = "file|keyid",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("verify-bundle", "Verify an audit bundle offline: key set chain, checkpoint signatures, every leaf's inclusion proof, the consistency proof. Names the place of the first failure.")
        {
            bundle, keys,
        };
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var spkis = new List<byte[]>();
            var keyIds = new List<string>();
            foreach (var pin in parse.GetValue(keys) ?? [])
            {
                if (CliSettingsLoader.IsKeyId(pin))
                {
                    keyIds.Add(pin.ToLowerInvariant());
                    continue;
                }

                if (!File.Exists(pin))
                {
                    throw CliException.Usage("invalid-key", $"--key {pin}: neither a 64-hex key id nor a file.", "Give the service's P-256 public key as a PEM file, or its key id (GET /api/v1/keys).");
                }

                var spki = PublicKeys.SpkiFromPem(await File.ReadAllTextAsync(pin, cancellationToken));
                spkis.Add(spki.IsSuccess ? spki.Value! : throw CliException.Usage("invalid-key", $"{pin}: {spki.Error}", "Give the service's P-256 public key as PEM, or its key id (GET /api/v1/keys)."));
            }

            var check = AuditBundleVerifier.Verify(parse.GetValue(bundle)!, spkis, keyIds);
            console.Result(check, ansi =>
            {
                if (check.Ok)
                {
                    ansi.MarkupLineInterpolated($"OK: leaves {check.Start}..{check.End - 1} ({check.InclusionProofs} inclusion proofs) are in the signed tree of {check.TreeSize}{(check.ConsistencyProof ? $", which extends the signed tree of {check.Start}" : "")}; trusted key ids: {string.Join(", ", check.TrustedKeyIds)}");
                }
                else
                {
                    ansi.MarkupLineInterpolated($"FAILED at {check.Place}: {check.Problem}");
                }
            });
            return check.Ok ? ExitCodes.Ok : ExitCodes.Failure;
        }, cancellationToken));
        return command;
    }

    private static DateTimeOffset Time(string value, string option) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw CliException.Usage("invalid-time", $"{option}: '{value}' is not an ISO 8601 date or time.", "Write e.g. 2026-11-01 or 2026-11-01T00:00:00Z.");
}
