using System.Security.Cryptography;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Signing;

/// <summary>
/// Signs with a local ECDSA P-256 key held as PKCS#8 PEM text (development and tests; production signs in Key Vault).
/// Signatures are DER (RFC 3279) over SHA-256 of the exact bytes, as openssl produces and verifies them.
/// </summary>
public sealed class PemArtifactSigner : IArtifactSigner, IDisposable
{
    private readonly ECDsa _key;
    private readonly byte[] _spki;

    private PemArtifactSigner(ECDsa key)
    {
        _key = key;
        _spki = key.ExportSubjectPublicKeyInfo();
        KeyId = PublicKeys.KeyIdOf(_spki);
    }

    public string KeyId { get; }

    public ReadOnlyMemory<byte> PublicKeySpki => _spki;

    /// <summary>The public key as <c>-----BEGIN PUBLIC KEY-----</c> PEM.</summary>
    public string PublicKeyPem => PublicKeys.ToPem(_spki);

    /// <summary>A fresh random P-256 key.</summary>
    public static PemArtifactSigner Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a P-256 private key from PEM text (<c>PRIVATE KEY</c> PKCS#8 or <c>EC PRIVATE KEY</c>).</summary>
    public static Result<PemArtifactSigner> FromPem(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields) || pem.AsSpan()[fields.Label] is not ("PRIVATE KEY" or "EC PRIVATE KEY"))
        {
            return Result<PemArtifactSigner>.Failure("signing key: no -----BEGIN PRIVATE KEY----- (or EC PRIVATE KEY) block");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem.AsSpan()[fields.Location]);
            if (!PublicKeys.IsP256(key))
            {
                key.Dispose();
                return Result<PemArtifactSigner>.Failure("signing key: not an EC P-256 key");
            }

            return Result<PemArtifactSigner>.Success(new PemArtifactSigner(key));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            key.Dispose();
            return Result<PemArtifactSigner>.Failure("signing key: not an EC private key in PEM: " + e.Message);
        }
    }

    /// <summary>The private key as PKCS#8 <c>-----BEGIN PRIVATE KEY-----</c> PEM text (a secret: store it accordingly).</summary>
    public string ToPkcs8Pem() => _key.ExportPkcs8PrivateKeyPem();

    public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Sign(content.Span));
    }

    /// <summary>The DER ECDSA signature of <paramref name="content"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> content) =>
        _key.SignData(content, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    public void Dispose() => _key.Dispose();
}
