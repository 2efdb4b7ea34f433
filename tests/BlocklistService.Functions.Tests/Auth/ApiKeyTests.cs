using BlocklistService.Functions.Auth;

namespace BlocklistService.Functions.Tests.Auth;

public sealed class ApiKeyTests
{
    [Fact]
    public void A_generated_key_round_trips_and_matches_only_its_own_hash()
    {
        var key = ApiKey.Generate();
        var other = ApiKey.Generate();

        Assert.True(ApiKey.TryParse(key.Value, out var parsed));
        Assert.Equal(key, parsed);
        Assert.True(parsed.Matches(key.SecretHash));
        Assert.False(parsed.Matches(other.SecretHash));
        Assert.False(parsed.Matches(key.SecretHash.AsSpan(0, 31)));
        Assert.NotEqual(key.KeyId, other.KeyId);
        Assert.DoesNotContain(key.Secret, key.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bls_0123456789abcdef_short")]
    [InlineData("xyz_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("bls_0123456789ABCDEF_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("bls_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("bls_0123456789abcde'_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Anything_but_the_key_format_is_refused(string? value) => Assert.False(ApiKey.TryParse(value, out _));
}
