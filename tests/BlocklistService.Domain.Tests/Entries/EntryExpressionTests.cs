using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Matching;
using BlocklistService.Domain.Urls;

namespace BlocklistService.Domain.Tests.Entries;

public sealed class EntryExpressionTests
{
    [Theory]
    [InlineData("http://Evil.Example:8080/a/../b.html?x=1#f", EntryScope.Exact, "evil.example/b.html?x=1")]
    [InlineData("http://evil.example/b.html", EntryScope.Exact, "evil.example/b.html")]
    [InlineData("http://evil.example/a/b/", EntryScope.Path, "evil.example/a/b/")]
    [InlineData("http://evil.example/a/b", EntryScope.Path, "evil.example/a/b/")]
    [InlineData("http://sub.evil.example/a/b?x", EntryScope.Host, "sub.evil.example/")]
    public void Scope_decides_the_expression(string url, EntryScope scope, string expression)
    {
        var entry = EntryExpression.Create(url, scope).Value;

        Assert.Equal(expression, entry.Expression);
        Assert.Equal(scope, entry.Scope);
        Assert.Equal(EntryId.ForExpression(expression), entry.Id);
    }

    [Fact]
    public void The_id_is_the_lowercase_hex_sha256_of_the_expression()
    {
        var entry = EntryExpression.Create("https://evil.example/", "host").Value;

        Assert.Equal(64, entry.Id.Hex.Length);
        Assert.Equal(entry.Id.Hex.ToLowerInvariant(), entry.Id.Hex);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("evil.example/"u8)), entry.Id.Hex);
    }

    [Fact]
    public void Equivalent_submissions_get_the_same_id()
    {
        var ids = new[]
        {
            "http://evil.example/a/b.jpg",
            "HTTP://EVIL.EXAMPLE:80/a/./b.jpg#x",
            "evil.example/a//b.jpg",
            "http://evil.example./a/c/../b.jpg",
            "http://%65vil.example/%61/b.jpg",
            "http://evil.example\\a\\b.jpg",
        }.Select(u => EntryExpression.Create(u, EntryScope.Exact).Value.Id).Distinct().ToList();

        Assert.Single(ids);
    }

    [Fact]
    public void Path_depth_limit_follows_the_four_path_prefixes()
    {
        Assert.True(EntryExpression.Create("http://e.example/1/2/3/", EntryScope.Path).IsSuccess);
        Assert.Equal(RejectionCodes.PathTooDeep, EntryExpression.Create("http://e.example/1/2/3/4/", EntryScope.Path).Rejection!.Code);
    }

    [Theory]
    [InlineData("http://e.example/1/2/3/4/")]
    [InlineData("http://e.example/1/2/3/4/5/6/")]
    public void A_directory_deeper_than_the_path_prefixes_is_listed_as_an_exact_entry_that_matches_only_itself(string url)
    {
        var entry = EntryExpression.Create(url, EntryScope.Exact).Value;
        var matcher = UrlMatcher.ForIds([entry.Id]);

        Assert.Equal(EntryScope.Exact, entry.Scope);
        Assert.Equal(url["http://".Length..], entry.Expression);
        Assert.True(matcher.Match(url).IsMatch);
        Assert.True(matcher.Match(url + "?q=1").IsMatch);
        Assert.False(matcher.Match(url + "x.html").IsMatch);
        Assert.Equal(RejectionCodes.PathTooDeep, EntryExpression.Create(url, EntryScope.Path).Rejection!.Code);
    }

    [Theory]
    [InlineData("http://e.example/1/")]
    [InlineData("http://e.example/1/2/3/")]
    public void A_directory_within_the_path_prefixes_is_a_prefix_so_exact_is_refused(string url)
    {
        Assert.Equal(RejectionCodes.ExactIsPrefix, EntryExpression.Create(url, EntryScope.Exact).Rejection!.Code);
        Assert.True(EntryExpression.Create(url, EntryScope.Path).IsSuccess);
    }

    [Fact]
    public void Every_directory_url_can_be_listed_under_exactly_one_scope()
    {
        for (var depth = 1; depth <= 8; depth++)
        {
            var url = "http://e.example/" + string.Concat(Enumerable.Range(1, depth).Select(d => $"d{d}/"));
            var exact = EntryExpression.Create(url, EntryScope.Exact).IsSuccess;
            var path = EntryExpression.Create(url, EntryScope.Path).IsSuccess;

            Assert.True(exact ^ path, $"{url}: exact {exact}, path {path}");
        }
    }

    [Theory]
    [InlineData("http://e.example/b/c.jpg", "/b/")]
    [InlineData("http://e.example/c.tar.gz", "/")]
    public void Scope_path_on_a_file_is_refused_and_names_the_directory(string url, string directory)
    {
        var failure = EntryExpression.Create(url, EntryScope.Path).Rejection!;

        Assert.Equal(RejectionCodes.PathNamesFile, failure.Code);
        Assert.Contains($"'{directory}'", failure.Message);
        Assert.True(EntryExpression.Create(url, EntryScope.Exact).IsSuccess);
    }

    [Theory]
    [InlineData("http://e.example/b/c.d/", "e.example/b/c.d/")]
    [InlineData("http://e.example/gallery", "e.example/gallery/")]
    public void Scope_path_on_a_directory_name_is_still_a_directory(string url, string expression) =>
        Assert.Equal(expression, EntryExpression.Create(url, EntryScope.Path).Value.Expression);

    [Theory]
    [InlineData("http://e.example/1/", "http://e.example/1/x.html")]
    [InlineData("http://e.example/1/2/3/", "http://e.example/1/2/3/4/5/6.html?q=1")]
    [InlineData("http://e.example/1/2/", "http://a.b.c.e.example/1/2/3.html")]
    public void Every_accepted_path_entry_is_found_by_the_matcher_below_it(string entryUrl, string requested)
    {
        var entry = EntryExpression.Create(entryUrl, EntryScope.Path).Value;
        var matcher = UrlMatcher.ForIds([entry.Id]);

        var match = matcher.Match(requested);

        Assert.True(match.IsMatch);
        Assert.Equal(entry.Expression, match.Expression);
    }

    [Fact]
    public void Null_url_and_null_scope_are_rejected_not_thrown()
    {
        Assert.Equal(RejectionCodes.Empty, EntryExpression.Create(null, EntryScope.Exact).Rejection!.Code);
        Assert.Equal(RejectionCodes.InvalidScope, EntryExpression.Create("http://e.example/a", (string?)null).Rejection!.Code);
        Assert.Equal(RejectionCodes.InvalidScope, EntryExpression.Create("http://e.example/a", (EntryScope)42).Rejection!.Code);
    }

    [Fact]
    public void Messages_never_echo_control_characters()
    {
        var result = EntryExpression.Create("http://a\u0001b@e.example/", EntryScope.Host);

        Assert.Equal(RejectionCodes.ControlCharacter, result.Rejection!.Code);
        Assert.DoesNotContain('\u0001', result.Rejection.Message);
    }
}
