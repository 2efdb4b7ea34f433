using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

namespace BlocklistService.Domain.Tests.Lists;

/// <summary>Builds entries and states from small integers, so property tests shrink to readable cases.</summary>
internal static class Samples
{
    public static readonly ListName Eu = ListName.Parse("eu");

    private static readonly string[] Categories = ["csam", "csam-drawn", "grooming"];

    public static ListEntry Entry(int n, int variant = 0)
    {
        var scope = (EntryScope)(Math.Abs(n) % 3);
        var expression = scope switch
        {
            EntryScope.Host => $"h{n}.example/",
            EntryScope.Path => $"p{n}.example/dir/",
            _ => $"e{n}.example/a?b={n}&c=ü",
        };
        return ListEntry.Create(expression, scope, Categories[Math.Abs(n + variant) % Categories.Length]);
    }

    /// <summary>Distinct entries for the distinct numbers in <paramref name="numbers"/>; <paramref name="variant"/> shifts categories.</summary>
    public static List<ListEntry> Entries(IEnumerable<int>? numbers, int variant = 0) =>
        (numbers ?? []).Distinct().Select(n => Entry(n, variant)).ToList();

    public static ListState State(IEnumerable<int>? numbers, long version, int variant = 0) =>
        ListState.FromEntries(Eu, version, Entries(numbers, variant)).Value;

    public static IEnumerable<EntryId> Ids(ListState state) => state.Ids;
}
