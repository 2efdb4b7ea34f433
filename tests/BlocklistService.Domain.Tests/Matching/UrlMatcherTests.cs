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
        var compact = UrlMatcher.ForIdSet(IdSet(Listed)).Match(url);

        Assert.Equal(expected, plain.Expression);
        Assert.Equal(expected, hashed.Expression);
        Assert.Equal(expected, compact.Expression);
        Assert.Equal(expected is not null, plain.IsMatch);
        Assert.Equal(expected is not null, hashed.IsMatch);
        Assert.Equal(expected is not null, compact.Url is { } canonical && UrlMatcher.ForIdSet(IdSet(Listed)).IsBlocked(canonical));
        if (expected is not null)
        {
            Assert.Equal(EntryId.ForExpression(expected), plain.Id);
            Assert.Equal(EntryId.ForExpression(expected), hashed.Id);
            Assert.Equal(EntryId.ForExpression(expected), compact.Id);
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

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    [InlineData(70_000)]
    public void An_entry_id_set_contains_exactly_its_ids(int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => EntryId.ForExpression($"host{i}.example/")).ToList();
        var set = IdSet(ids);

        Assert.Equal(count, set.Count);
        Assert.All(ids, id => Assert.True(set.Contains(id.ToBytes())));
        Assert.All(Enumerable.Range(count, 1000), i => Assert.False(set.ContainsExpression($"host{i}.example/")));
        Assert.False(set.Contains(new byte[31]));
    }

    [Fact]
    public void An_entry_id_set_is_built_from_ascending_ids_only()
    {
        var builder = new EntryIdSet.Builder();
        builder.Add(new byte[32]);

        Assert.Throws<ArgumentException>(() => builder.Add(new byte[32]));
        Assert.Throws<ArgumentException>(() => builder.Add(new byte[16]));
    }

    private static EntryIdSet IdSet(IEnumerable<string> expressions) => IdSet(expressions.Select(EntryId.ForExpression));

    private static EntryIdSet IdSet(IEnumerable<EntryId> ids)
    {
        var builder = new EntryIdSet.Builder();
        foreach (var id in ids.Select(i => i.ToBytes()).OrderBy(b => Convert.ToHexStringLower(b), StringComparer.Ordinal))
        {
            builder.Add(id);
        }

        return builder.Build();
    }

    [Theory]
    [MemberData(nameof(Requests))]
    [InlineData("http://a.b.c.d.e.f.g.example/1/2/3/4/5/6.html?q=x&y=%C3%BC", null)]
    [InlineData("http://\u00fcmlat.example/p/q.html", null)]
    public void The_allocation_free_walk_yields_exactly_the_lookup_expressions_in_order(string url, string? listed)
    {
        _ = listed;
        if (!CanonicalUrl.Parse(url).TryGetValue(out var canonical))
        {
            return;
        }

        var walked = new List<string>();
        Assert.False(canonical.AnyLookupExpression(bytes =>
        {
            walked.Add(System.Text.Encoding.UTF8.GetString(bytes));
            return false;
        }));
        Assert.Equal(canonical.LookupExpressions(), walked);
        Assert.True(canonical.AnyLookupExpression(_ => true));
    }
}
