using System.Security.Cryptography;
using BlocklistService.Functions.Signing;

namespace BlocklistService.Functions.Tests.Signing;

public sealed class EcdsaSignatureEncodingTests
{
    [Fact]
    public void Raw_signatures_convert_to_DER_that_verifies()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // Enough signatures that r or s with the high bit set (needs a 0x00 pad) and shorter values both occur.
        for (var i = 0; i < 300; i++)
        {
            var data = BitConverter.GetBytes(i);
            var raw = key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

            var der = EcdsaSignatureEncoding.RawToDer(raw);

            Assert.True(key.VerifyData(data, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }
    }

    [Fact]
    public void Integers_are_minimal_and_positive()
    {
        var raw = new byte[64];
        raw[31] = 0x01;        // r = 1
        raw[32] = 0x80;        // s = 0x80 followed by 31 zero bytes: needs a leading 0x00

        var der = EcdsaSignatureEncoding.RawToDer(raw);

        var expected = new byte[] { 0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00, 0x80 }.Concat(new byte[31]).ToArray();
        Assert.Equal(expected, der);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(65)]
    public void Wrong_lengths_are_refused(int length)
    {
        var error = Assert.Throws<FormatException>(() => EcdsaSignatureEncoding.RawToDer(new byte[length]));
        Assert.Contains("64 bytes", error.Message);
    }
}
