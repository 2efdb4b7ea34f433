using BlocklistService.Domain.Urls;

namespace BlocklistService.Domain.Tests.Urls;

public sealed class LookupExpressionTests
{
    /// <summary>The suffix/prefix expression examples of Safe Browsing's "URLs and Hashing".</summary>
    [Theory]
    [InlineData("http://a.b.c/1/2.html?param=1", new[] { "a.b.c/1/2.html?param=1", "a.b.c/1/2.html", "a.b.c/", "a.b.c/1/", "b.c/1/2.html?param=1", "b.c/1/2.html", "b.c/", "b.c/1/" })]
    [InlineData("http://a.b.c.d.e.f.g/1.html", new[] { "a.b.c.d.e.f.g/1.html", "a.b.c.d.e.f.g/", "c.d.e.f.g/1.html", "c.d.e.f.g/", "d.e.f.g/1.html", "d.e.f.g/", "e.f.g/1.html", "e.f.g/", "f.g/1.html", "f.g/" })]
    [InlineData("http://1.2.3.4/1/", new[] { "1.2.3.4/1/", "1.2.3.4/" })]
    public void Published_examples(string url, string[] expected)
    {
        Assert.Equal(expected.Order(StringComparer.Ordinal), CanonicalUrl.Parse(url).Value.LookupExpressions().Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("http://a.b.c/1/2.html?param=1/2", new[] { "a.b.c/1/2.html?param=1/2", "a.b.c/1/2.html", "a.b.c/1/", "a.b.c/", "b.c/1/2.html?param=1/2", "b.c/1/2.html", "b.c/1/", "b.c/" })]
    [InlineData("http://a.b.c/1/2/3/4/5/", new[] { "a.b.c/1/2/3/4/5/", "a.b.c/1/2/3/", "a.b.c/1/2/", "a.b.c/1/", "a.b.c/", "b.c/1/2/3/4/5/", "b.c/1/2/3/", "b.c/1/2/", "b.c/1/", "b.c/" })]
    [InlineData("http://a.b.c.d.e/1.html", new[] { "a.b.c.d.e/1.html", "a.b.c.d.e/", "b.c.d.e/1.html", "b.c.d.e/", "c.d.e/1.html", "c.d.e/", "d.e/1.html", "d.e/" })]
    [InlineData("http://a.b/?", new[] { "a.b/" })]
    [InlineData("http://[2001:470:1:18::114]/a/b", new[] { "[2001:470:1:18::114]/a/b", "[2001:470:1:18::114]/a/", "[2001:470:1:18::114]/" })]
    [InlineData("http://b/", new[] { "b/" })]
    public void Reference_client_vectors(string url, string[] expected)
    {
        Assert.Equal(expected.Order(StringComparer.Ordinal), CanonicalUrl.Parse(url).Value.LookupExpressions().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Expressions_are_ordered_most_specific_first()
    {
        var expressions = CanonicalUrl.Parse("http://a.b.c/1/2.html?param=1").Value.LookupExpressions();

        Assert.Equal(["a.b.c/1/2.html?param=1", "a.b.c/1/2.html", "a.b.c/1/", "a.b.c/", "b.c/1/2.html?param=1", "b.c/1/2.html", "b.c/1/", "b.c/"], expressions);
    }

    [Theory]
    [InlineData("http://www.google.com/foo.html", new[] { "www.google.com", "google.com" })]
    [InlineData("http://a.b.c.com/foo.html", new[] { "a.b.c.com", "b.c.com", "c.com" })]
    [InlineData("http://a.b.c.d.e.f.kita.tokyo.jp", new[] { "a.b.c.d.e.f.kita.tokyo.jp", "e.f.kita.tokyo.jp", "f.kita.tokyo.jp", "kita.tokyo.jp", "tokyo.jp" })]
    [InlineData("http://[::192.9.5.5]/ipng", new[] { "[::192.9.5.5]" })]
    [InlineData("http://10.1.2.3/", new[] { "10.1.2.3" })]
    public void Hosts_are_the_host_and_up_to_four_suffixes_of_the_last_five_labels(string url, string[] expected)
    {
        Assert.Equal(expected, CanonicalUrl.Parse(url).Value.LookupHosts());
    }

    [Theory]
    [InlineData("http://a.com/a/b/c.html", new[] { "/a/b/c.html", "/a/b/", "/a/", "/" })]
    [InlineData("http://a.b/", new[] { "/" })]
    [InlineData("http://a.com/a/b/c/d/e.html?123", new[] { "/a/b/c/d/e.html?123", "/a/b/c/d/e.html", "/a/b/c/", "/a/b/", "/a/", "/" })]
    public void Paths_are_the_path_with_and_without_query_and_up_to_four_prefixes(string url, string[] expected)
    {
        Assert.Equal(expected, CanonicalUrl.Parse(url).Value.LookupPaths());
    }
}
