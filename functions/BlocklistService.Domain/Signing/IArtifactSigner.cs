namespace BlocklistService.Domain.Signing;

/// <summary>
/// Signs published bytes: ECDSA P-256 over SHA-256 of the exact bytes, DER-encoded, so that
/// <c>openssl dgst -sha256 -verify key.pem -signature f.sig f</c> verifies the result.
/// Implementations: a local PEM key (development) and Azure Key Vault (production).
/// </summary>
public interface IArtifactSigner
{
    /// <summary>Lowercase hex SHA-256 of <see cref="PublicKeySpki"/>.</summary>
    string KeyId { get; }

    /// <summary>The public key as SubjectPublicKeyInfo DER.</summary>
    ReadOnlyMemory<byte> PublicKeySpki { get; }

    /// <summary>Returns the DER-encoded ECDSA signature of <paramref name="content"/>.</summary>
    ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken);
}
