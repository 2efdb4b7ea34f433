using System.Text.Json;
using BlocklistService.Domain.Entries;
using BlocklistService.Testing;

namespace BlocklistService.Domain.Tests.Entries;

/// <summary>Runs every case of tests/corpus/hostile-urls.json through <see cref="EntryExpression.Create(string?, string?)"/>.</summary>
public sealed class HostileUrlCorpusTests
{
    private static readonly Lazy<IReadOnlyList<CorpusCase>> Corpus = new(Load);

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var item in Corpus.Value)
        {
            names.Add(item.Name);
        }

        return names;
    }

    [Fact]
    public void Corpus_has_at_least_100_uniquely_named_cases()
    {
        Assert.True(Corpus.Value.Count >= 100, $"only {Corpus.Value.Count} cases");
        Assert.Equal(Corpus.Value.Count, Corpus.Value.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case_has_the_expected_outcome(string name)
    {
        var item = Corpus.Value.Single(c => c.Name == name);
        var result = EntryExpression.Create(item.Url, item.Scope);

        if (item.Expect.Rejected is { } code)
        {
            Assert.False(result.IsSuccess, $"expected {code}, got expression {result}");
            Assert.Equal(code, result.Rejection!.Code);
            Assert.False(string.IsNullOrWhiteSpace(result.Rejection.Message));
        }
        else
        {
            Assert.True(result.IsSuccess, $"expected {item.Expect.Expression}, got {result.Rejection}");
            Assert.Equal(item.Expect.Expression, result.Value.Expression);
            Assert.Equal(item.Expect.Id, result.Value.Id.Hex);
            Assert.Equal(item.Scope, result.Value.Scope.ToWireName());
        }
    }

    private static IReadOnlyList<CorpusCase> Load()
    {
        var path = Path.Combine(RepositoryPaths.Root, "tests", "corpus", "hostile-urls.json");
        return JsonSerializer.Deserialize<List<CorpusCase>>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private sealed record CorpusCase(string Name, string Url, string Scope, CorpusExpectation Expect);

    private sealed record CorpusExpectation(string? Rejected, string? Expression, string? Id);
}
