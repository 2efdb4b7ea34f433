using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Matching;
using BlocklistService.Domain.Urls;

namespace BlocklistService.Domain.Tests.Matching;

public sealed class UrlMatcherTests
{
    private static readonly string[] Listed =
    [
        "evil.example/",
        "shared.example/users/bad/",
        "shared.example/pics/1.jpg",
        "shared.example/view?id=7",
        "10.1.2.3/dir/",
        "[2001:db8::1]/x.jpg",
    ];

    public static TheoryData<string, string?> Requests => new()
    {
        { "http://evil.example/", "evil.example/" },
        { "https://a.b.c.evil.example/deep/path/x.jpg?q=1", "evil.example/" },
        { "http://EVIL.example.:8080/%41", "evil.example/" },
        { "http://notevil.example/", null },
        { "http://evil.example.org/", null },
        { "http://shared.example/users/bad/", "shared.example/users/bad/" },
        { "http://shared.example/users/bad/a/b/c/d.jpg", "shared.example/users/bad/" },
        { "http://shared.example/users/bad", null },
        { "http://shared.example/users/good/", null },
        { "http://shared.example/users/./bad/../bad/x", "shared.example/users/bad/" },
        { "http://shared.example/pics/1.jpg", "shared.example/pics/1.jpg" },
        { "http://shared.example/pics/1.jpg?size=large", "shared.example/pics/1.jpg" },
        { "http://shared.example/pics/2.jpg", null },
        { "http://shared.example/view?id=7", "shared.example/view?id=7" },
        { "http://shared.example/view?id=8", null },
        { "http://shared.example/view", null },
        { "http://167838211/dir/a.jpg", "10.1.2.3/dir/" },
        { "http://[2001:0db8::0001]/x.jpg", "[2001:db8::1]/x.jpg" },
        { "javascript:alert(1)", null },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Plain_and_hashed_lists_give_the_same_answer(string url, string? expected)
    {
        var plain = UrlMatcher.ForExpressions(Listed).Match(url);
        var hashed = UrlMatcher.ForIds(Listed.Select(EntryId.ForExpression)).Match(url);

        Assert.Equal(expected, plain.Expression);
        Assert.Equal(expected, hashed.Expression);
        Assert.Equal(expected is not null, plain.IsMatch);
        Assert.Equal(expected is not null, hashed.IsMatch);
        if (expected is not null)
        {
            Assert.Equal(EntryId.ForExpression(expected), plain.Id);
            Assert.Equal(EntryId.ForExpression(expected), hashed.Id);
        }
    }

    [Fact]
    public void The_most_specific_listed_expression_is_reported_first_and_all_are_available()
    {
        var matcher = UrlMatcher.ForExpressions(["evil.example/", "evil.example/a/", "www.evil.example/a/b.html"]);
        var url = CanonicalUrl.Parse("http://www.evil.example/a/b.html").Value;

        Assert.Equal("www.evil.example/a/b.html", matcher.Match(url).Expression);
        Assert.Equal(["www.evil.example/a/b.html", "evil.example/a/", "evil.example/"], matcher.MatchAll(url).Select(m => m.Expression));
    }

    [Fact]
    public void A_url_that_cannot_be_canonicalized_is_not_a_match_and_says_why()
    {
        var match = UrlMatcher.ForExpressions(Listed).Match("mailto:x@evil.example");

        Assert.False(match.IsMatch);
        Assert.Null(match.Url);
        Assert.Equal(RejectionCodes.UnsupportedScheme, match.Failure!.Code);
    }

    [Fact]
    public void Entries_created_from_submissions_are_found_by_their_own_urls()
    {
        var urls = new[] { "http://evil.example/a/b.jpg?x=1", "http://evil.example/a/b.jpg", "http://host.example/c/d/", "http://\u00fcmlat.example/p/q.html" };
        var entries = urls.Select(u => EntryExpression.Create(u, u.EndsWith('/') ? EntryScope.Path : EntryScope.Exact).Value).ToList();
        var matcher = UrlMatcher.ForIds(entries.Select(e => e.Id));

        foreach (var entry in entries)
        {
            Assert.Equal(entry.Expression, matcher.Match(entry.Url.Value).Expression);
        }

        Assert.Equal(4, matcher.Count);
    }
}
