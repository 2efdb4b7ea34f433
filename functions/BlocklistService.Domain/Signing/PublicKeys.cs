using System.Security.Cryptography;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Signing;

/// <summary>Key ids and PEM text for ECDSA P-256 public keys (SubjectPublicKeyInfo).</summary>
public static class PublicKeys
{
    public const string PemLabel = "PUBLIC KEY";

    /// <summary>The key id: lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> spki) => Convert.ToHexStringLower(SHA256.HashData(spki));

    /// <summary><c>-----BEGIN PUBLIC KEY-----</c> PEM text of a SubjectPublicKeyInfo (what openssl -verify takes).</summary>
    public static string ToPem(ReadOnlySpan<byte> spki) => new(PemEncoding.Write(PemLabel, spki));

    /// <summary>
    /// Reads a <c>PUBLIC KEY</c> PEM block and checks it is an EC P-256 key; returns its SubjectPublicKeyInfo DER,
    /// re-encoded canonically so the key id does not depend on how the PEM was produced.
    /// </summary>
    public static Result<byte[]> SpkiFromPem(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields) || !pem.AsSpan()[fields.Label].SequenceEqual(PemLabel))
        {
            return Result<byte[]>.Failure("publicKeyPem: no -----BEGIN PUBLIC KEY----- block");
        }

        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem.AsSpan()[fields.Location]);
            return IsP256(key)
                ? Result<byte[]>.Success(key.ExportSubjectPublicKeyInfo())
                : Result<byte[]>.Failure("publicKeyPem: not an EC P-256 key");
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return Result<byte[]>.Failure("publicKeyPem: not an EC public key: " + e.Message);
        }
    }

    internal static bool IsP256(ECDsa key)
    {
        var curve = key.ExportParameters(false).Curve;
        return key.KeySize == 256 && curve.IsNamed && (curve.Oid.Value == ECCurve.NamedCurves.nistP256.Oid.Value || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "prime256v1");
    }
}
