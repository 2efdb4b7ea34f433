using System.CommandLine;
using BlocklistService.Cli.State;
using BlocklistService.Domain.Signing;
using Spectre.Console;

namespace BlocklistService.Cli.Commands;

/// <summary><c>blocklist dev-key</c>: creates a local ECDSA P-256 signing key for development and prints its key id.</summary>
public static class DevKeyCommand
{
    public static Command Create(GlobalOptions global)
    {
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the private key (PKCS#8 PEM, mode 0600).",
            DefaultValueFactory = _ => "blocklist-dev-key.pem",
            HelpName = "file",
        };
        var force = new Option<bool>("--force") { Description = "Replace an existing key file." };
        var command = new Command("dev-key", "Create a local signing key (PEM) for development; print its key id and public key.") { output, force };
        global.AddHelp(command, """
            Notes:
              For development and tests only: production signs with the Key Vault key. The key id is the hex SHA-256
              of the public key's SubjectPublicKeyInfo DER, as /api/v1/keys and manifests name it.

            Examples:
              blocklist dev-key
              blocklist dev-key --output .data/signing-key.pem --json
            """);
        command.SetAction((parse, cancellationToken) => global.RunAsync(parse, async console =>
        {
            var path = Path.GetFullPath(parse.GetValue(output)!);
            if (File.Exists(path) && !parse.GetValue(force))
            {
                throw CliException.Usage("key-exists", $"{path} already exists.", "Choose another --output, or pass --force to replace it (artifacts signed with the old key will no longer verify against the new one).");
            }

            using var signer = PemArtifactSigner.Generate();
            await AtomicFileWriter.WriteTextAsync(
                path,
                async (writer, ct) =>
                {
                    await writer.WriteAsync(signer.ToPkcs8Pem().AsMemory(), ct);
                    await writer.WriteLineAsync();
                    return true;
                },
                cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            console.Result(
                new { path, keyId = signer.KeyId, publicKeyPem = signer.PublicKeyPem },
                ansi =>
                {
                    ansi.MarkupLineInterpolated($"private key: {path}");
                    ansi.MarkupLineInterpolated($"key id:      {signer.KeyId}");
                    ansi.WriteLine(signer.PublicKeyPem.TrimEnd());
                });
            return ExitCodes.Ok;
        }, cancellationToken));
        return command;
    }
}
