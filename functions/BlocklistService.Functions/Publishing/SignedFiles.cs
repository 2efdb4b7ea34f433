using System.Security.Cryptography;
using BlocklistService.Domain.Signing;

namespace BlocklistService.Functions.Publishing;

/// <summary>
/// Writes a file and its detached signature (<c>name.sig</c>). Immutable files are create-only: finding the same
/// bytes already there is a retry and succeeds, different bytes are an alarm; an existing signature is accepted
/// when it verifies (ECDSA signatures differ on every signing, so bytes cannot be compared).
/// </summary>
public sealed class SignedFiles(IBlobStore blobs, IArtifactSigner signer)
{
    public const string SignatureSuffix = ".sig";
    public const string ImmutableCache = "public, max-age=31536000, immutable";
    public const string NoCache = "no-cache";

    /// <summary>The id of the key the signatures are made with.</summary>
    public string KeyId => signer.KeyId;

    public async Task WriteImmutableAsync(string container, string name, byte[] content, string contentType, CancellationToken cancellationToken)
    {
        if (await blobs.PutIfAbsentAsync(container, name, content, contentType, ImmutableCache, cancellationToken) == BlobPutResult.AlreadyExists)
        {
            var existing = await blobs.GetAsync(container, name, cancellationToken);
            if (existing is null || !existing.Content.AsSpan().SequenceEqual(content))
            {
                throw new InvalidOperationException($"{container}/{name} already exists with different bytes; refusing to overwrite an immutable file.");
            }
        }

        var signature = await signer.SignAsync(content, cancellationToken);
        var sigName = name + SignatureSuffix;
        if (await blobs.PutIfAbsentAsync(container, sigName, signature, "application/octet-stream", ImmutableCache, cancellationToken) == BlobPutResult.AlreadyExists)
        {
            var existing = await blobs.GetAsync(container, sigName, cancellationToken);
            if (existing is null || !Verifies(content, existing.Content))
            {
                throw new InvalidOperationException($"{container}/{sigName} exists and does not verify against the signing key.");
            }
        }
    }

    /// <summary>Overwrites a current pointer and then its signature (a reader racing the two sees a mismatch and retries).</summary>
    public async Task OverwriteAsync(string container, string name, byte[] content, string contentType, CancellationToken cancellationToken)
    {
        var signature = await signer.SignAsync(content, cancellationToken);
        await blobs.OverwriteAsync(container, name, content, contentType, NoCache, cancellationToken);
        await blobs.OverwriteAsync(container, name + SignatureSuffix, signature, "application/octet-stream", NoCache, cancellationToken);
    }

    /// <summary>True when <paramref name="signature"/> (DER) verifies over <paramref name="content"/> with the signer's key.</summary>
    public bool Verifies(ReadOnlySpan<byte> content, ReadOnlySpan<byte> signature)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(signer.PublicKeySpki.Span, out _);
        return key.VerifyData(content, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}
