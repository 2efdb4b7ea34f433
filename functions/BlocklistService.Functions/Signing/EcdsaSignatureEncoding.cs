using System.Formats.Asn1;

namespace BlocklistService.Functions.Signing;

/// <summary>
/// Converts the IEEE P1363 form of an ECDSA signature (r‖s, fixed width, what Key Vault and JWS return)
/// into the DER <c>SEQUENCE { INTEGER r, INTEGER s }</c> that openssl and the local signer produce.
/// </summary>
public static class EcdsaSignatureEncoding
{
    /// <summary>Returns the DER form of a raw <c>r‖s</c> signature of <paramref name="fieldSizeBytes"/>-byte halves.</summary>
    /// <exception cref="FormatException">The input is not exactly two field elements long.</exception>
    public static byte[] RawToDer(ReadOnlySpan<byte> raw, int fieldSizeBytes = 32)
    {
        if (raw.Length != 2 * fieldSizeBytes)
        {
            throw new FormatException($"an ECDSA r||s signature must be {2 * fieldSizeBytes} bytes, got {raw.Length}");
        }

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(TrimLeadingZeros(raw[..fieldSizeBytes]));
            writer.WriteIntegerUnsigned(TrimLeadingZeros(raw[fieldSizeBytes..]));
        }

        return writer.Encode();
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        return value[start..];
    }
}
