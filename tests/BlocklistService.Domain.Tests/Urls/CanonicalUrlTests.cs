using BlocklistService.Domain.Urls;

namespace BlocklistService.Domain.Tests.Urls;

public sealed class CanonicalUrlTests
{
    /// <summary>Every example in Safe Browsing's "URLs and Hashing" (Update API v4), Canonicalization section.</summary>
    public static TheoryData<string, string> PublishedExamples => new()
    {
        { "http://host/%25%32%35", "http://host/%25" },
        { "http://host/%25%32%35%25%32%35", "http://host/%25%25" },
        { "http://host/%2525252525252525", "http://host/%25" },
        { "http://host/asdf%25%32%35asd", "http://host/asdf%25asd" },
        { "http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25" },
        { "http://www.google.com/", "http://www.google.com/" },
        { "http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/%77%77%77%2E%65%62%61%79%2E%63%6F%6D/", "http://168.188.99.26/.secure/www.ebay.com/" },
        { "http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/", "http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/" },
        { "http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B", "http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+" },
        { "http://3279880203/blah", "http://195.127.0.11/blah" },
        { "http://www.google.com/blah/..", "http://www.google.com/" },
        { "www.google.com/", "http://www.google.com/" },
        { "www.google.com", "http://www.google.com/" },
        { "http://www.evil.com/blah#frag", "http://www.evil.com/blah" },
        { "http://www.GOOgle.com/", "http://www.google.com/" },
        { "http://www.google.com.../", "http://www.google.com/" },
        { "http://www.google.com/foo\tbar\rbaz\n2", "http://www.google.com/foobarbaz2" },
        { "http://www.google.com/q?", "http://www.google.com/q?" },
        { "http://www.google.com/q?r?", "http://www.google.com/q?r?" },
        { "http://www.google.com/q?r?s", "http://www.google.com/q?r?s" },
        { "http://evil.com/foo#bar#baz", "http://evil.com/foo" },
        { "http://evil.com/foo;", "http://evil.com/foo;" },
        { "http://evil.com/foo?bar;", "http://evil.com/foo?bar;" },
        { "http://notrailingslash.com", "http://notrailingslash.com/" },
        { "http://www.gotaport.com:1234/", "http://www.gotaport.com/" },
        { "  http://www.google.com/  ", "http://www.google.com/" },
        { "http:// leadingspace.com/", "http://%20leadingspace.com/" },
        { "http://%20leadingspace.com/", "http://%20leadingspace.com/" },
        { "%20leadingspace.com/", "http://%20leadingspace.com/" },
        { "https://www.securesite.com/", "https://www.securesite.com/" },
        { "http://host.com/ab%23cd", "http://host.com/ab%23cd" },
        { "http://host.com//twoslashes?more//slashes", "http://host.com/twoslashes?more//slashes" },
    };

    [Theory]
    [MemberData(nameof(PublishedExamples))]
    public void Published_examples_canonicalize_as_documented(string input, string expected)
    {
        Assert.Equal(expected, CanonicalUrl.Parse(input).Value.Value);
    }

    [Fact]
    public void Published_example_with_raw_bytes_escapes_them_in_the_host()
    {
        // "http://\x01\x80.com/" is a byte string: 0x80 alone is no UTF-8, so it stays a byte and is escaped.
        var bytes = "http://\u0001\u0080.com/"u8.ToArray();
        bytes = [.. "http://"u8, 0x01, 0x80, .. ".com/"u8];

        Assert.Equal("http://%01%80.com/", CanonicalUrl.Parse(bytes).Value.Value);
    }

    /// <summary>Further cases from the Safe Browsing reference client's test vectors, and our own.</summary>
    [Theory]
    [InlineData("http://www.\u00fcmlat.com/", "http://www.xn--mlat-zra.com/")]
    [InlineData("http://[2001:470:1:18::114]/", "http://[2001:470:1:18::114]/")]
    [InlineData("http%3A%2F%2Fwackyurl.com:80/", "http://wackyurl.com/")]
    [InlineData("http://W!eird<>Ho$^.com/", "http://w!eird<>ho$^.com/")]
    [InlineData("http://i.have.way.too.many.dots.com/", "http://i.have.way.too.many.dots.com/")]
    [InlineData("ftp://ftp.myfiles.com/", "ftp://ftp.myfiles.com/")]
    [InlineData("http://some%1bhost.com/%1b", "http://some%1Bhost.com/%1B")]
    [InlineData("http://a.com/foo/.././bar/./../foo.html", "http://a.com/foo.html")]
    [InlineData("http://a.com//a//b///c////", "http://a.com/a/b/c/")]
    [InlineData("http://google.com.:8080/foo.html", "http://google.com/foo.html")]
    [InlineData("http://..google.com/foo.html", "http://google.com/foo.html")]
    [InlineData("http://[FEDC:BA98:7654:3210:FEDC:BA98:7654:3210]:80/index.html", "http://[fedc:ba98:7654:3210:fedc:ba98:7654:3210]/index.html")]
    [InlineData("http://[2001:0db8:0000:0000:0000:0000:0000:0001]/", "http://[2001:db8::1]/")]
    [InlineData("http://[::192.9.5.5]/ipng", "http://[::192.9.5.5]/ipng")]
    [InlineData("http://0x12.0x43.0x44.0x01/", "http://18.67.68.1/")]
    [InlineData("http://12.0x12.01234/", "http://12.18.2.156/")]
    [InlineData("http://012.034.01.055/", "http://10.28.1.45/")]
    [InlineData("http://167838211/", "http://10.1.2.3/")]
    [InlineData("http://4294967295/", "http://255.255.255.255/")]
    [InlineData("http://4294967296/", "http://4294967296/")]
    [InlineData("http://1.2.3.00x0/", "http://1.2.3.00x0/")]
    [InlineData("http://276.2.3/", "http://276.2.3/")]
    [InlineData("http://user:pass@Example.COM:8080/a", "http://example.com/a")]
    [InlineData("http://example.com\\a\\..\\b?c\\d", "http://example.com/b?c\\d")]
    [InlineData("http://example.com/a/./b/.", "http://example.com/a/b/")]
    [InlineData("http://example.com/../../a", "http://example.com/a")]
    [InlineData("http://example.com/%2e%2E/a", "http://example.com/a")]
    [InlineData("http://example.com/a%2Fb", "http://example.com/a/b")]
    [InlineData("http://example.com/caf\u00e9", "http://example.com/caf%C3%A9")]
    [InlineData("http://example.com/a b", "http://example.com/a%20b")]
    [InlineData("http://example.com/%00", "http://example.com/%00")]
    [InlineData("http://example.com/%7f%FF", "http://example.com/%7F%FF")]
    [InlineData("http://\uff27\uff2f.com/", "http://go.com/")]
    [InlineData("http://www.foo\u3002bar.com/", "http://www.foo.bar.com/")]
    [InlineData("http://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/", "http://xn--e1afmkfd.xn--p1ai/")]
    [InlineData("http://\u0430pple.com/", "http://xn--pple-43d.com/")]
    [InlineData("http://%C3%BCmlat.com/", "http://xn--mlat-zra.com/")]
    [InlineData("HTTPS://EXAMPLE.com/Path", "https://example.com/Path")]
    [InlineData("http://example.com?q=1", "http://example.com/?q=1")]
    [InlineData("http://example.com/%3Fa", "http://example.com/?a")]
    public void Edge_cases_canonicalize(string input, string expected)
    {
        Assert.Equal(expected, CanonicalUrl.Parse(input).Value.Value);
    }

    [Theory]
    [InlineData("", RejectionCodes.Empty)]
    [InlineData("   ", RejectionCodes.Empty)]
    [InlineData(":", RejectionCodes.MissingHost)]
    [InlineData("/blah", RejectionCodes.MissingHost)]
    [InlineData("#ref", RejectionCodes.MissingHost)]
    [InlineData("/blah#ref", RejectionCodes.MissingHost)]
    [InlineData("?query#ref", RejectionCodes.MissingHost)]
    [InlineData("/blah?query#ref", RejectionCodes.MissingHost)]
    [InlineData("/blah;param", RejectionCodes.MissingHost)]
    [InlineData("http://#ref", RejectionCodes.MissingHost)]
    [InlineData("http:///blah#ref", RejectionCodes.MissingHost)]
    [InlineData("http://?query#ref", RejectionCodes.MissingHost)]
    [InlineData("http:///blah?query#ref", RejectionCodes.MissingHost)]
    [InlineData("http:///blah;param", RejectionCodes.MissingHost)]
    [InlineData("http:///blah;param?query#ref", RejectionCodes.MissingHost)]
    [InlineData("http://...", RejectionCodes.MissingHost)]
    [InlineData("mailto:bryner@google.com", RejectionCodes.UnsupportedScheme)]
    [InlineData("javascript:alert(1)", RejectionCodes.UnsupportedScheme)]
    [InlineData("http:www.google.com:8080/foo.html", RejectionCodes.MissingHost)]
    [InlineData("www.google.com:xxyy/foo.html:80", RejectionCodes.UnsupportedScheme)]
    [InlineData("http://example.com:80x/", RejectionCodes.InvalidPort)]
    [InlineData("http://[2001:db8::1/", RejectionCodes.InvalidHost)]
    [InlineData("http://[not-v6]/", RejectionCodes.InvalidHost)]
    [InlineData("http://[fe80::1%25eth0]/", RejectionCodes.InvalidHost)]
    [InlineData("http://a:b:80/", RejectionCodes.InvalidHost)]
    public void Urls_without_a_host_or_with_a_broken_authority_fail(string input, string code)
    {
        var result = CanonicalUrl.Parse(input);

        Assert.False(result.IsSuccess);
        Assert.Equal(code, result.Rejection!.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Rejection.Message));
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }

    [Fact]
    public void Components_are_exposed()
    {
        var url = CanonicalUrl.Parse("HTTPS://User@Www.Example.COM:443/a/../b/c.html?x=1#top").Value;

        Assert.Equal("https", url.Scheme);
        Assert.Equal("www.example.com", url.Host);
        Assert.Equal("/b/c.html", url.Path);
        Assert.Equal("x=1", url.Query);
        Assert.Equal(HostKind.Name, url.HostKind);
        Assert.Equal("https://www.example.com/b/c.html?x=1", url.ToString());
        Assert.Null(CanonicalUrl.Parse("http://1.2.3.4/").Value.Query);
        Assert.Equal(HostKind.IPv4, CanonicalUrl.Parse("http://1.2.3.4/").Value.HostKind);
        Assert.Equal(HostKind.IPv6, CanonicalUrl.Parse("http://[::1]/").Value.HostKind);
    }

    [Fact]
    public void Huge_inputs_are_refused_and_deep_double_encoding_costs_linear_time()
    {
        Assert.Equal(RejectionCodes.UrlTooLong, CanonicalUrl.Parse("http://a.com/" + new string('a', CanonicalUrl.MaxInputLength)).Rejection!.Code);

        var deep = "http://a.com/%" + string.Concat(Enumerable.Repeat("25", 20_000));
        Assert.Equal("http://a.com/%25", CanonicalUrl.Parse(deep).Value.Value);
    }

    [Fact]
    public void Long_paths_and_hosts_use_pooled_buffers_correctly()
    {
        var segment = new string('x', 300);
        var url = $"http://{string.Join('.', Enumerable.Repeat("\u00fc", 200))}.com/{string.Join('/', Enumerable.Repeat(segment, 10))}/../end";
        var canonical = CanonicalUrl.Parse(url).Value;

        Assert.StartsWith("http://xn--tda.xn--tda.", canonical.Value, StringComparison.Ordinal);
        Assert.EndsWith($"/{segment}/end", canonical.Value, StringComparison.Ordinal);
        Assert.Equal(10, canonical.Path.Count(c => c == '/'));
    }

    [Fact]
    public void Punycode_agrees_with_the_platform_encoder()
    {
        var idn = new System.Globalization.IdnMapping();
        foreach (var label in new[] { "\u00fcmlat", "\u043f\u0440\u0438\u043c\u0435\u0440", "\u0430pple", "\u4e2d\u6587", "b\u00fccher", "\ud83d\ude00smile", "\u00df" })
        {
            Assert.Equal(idn.GetAscii(label + ".com"), CanonicalUrl.Parse($"http://{label}.com/").Value.Host);
        }
    }
}
