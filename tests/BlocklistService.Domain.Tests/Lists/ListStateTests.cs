using BlocklistService.Domain.Lists;
using FsCheck.Xunit;

namespace BlocklistService.Domain.Tests.Lists;

public sealed class ListStateTests
{
    [Property]
    public bool Applying_the_delta_between_two_states_to_the_first_gives_the_second(int[] a, int[] b, bool recategorise)
    {
        var from = Samples.State(a, 3);
        var to = Samples.State(b, 4, variant: recategorise ? 1 : 0);
        var delta = Delta.Between(from, to);

        var expectedHash = from.ChecksumAfter(delta).Value.StateHash;
        var applied = from.Apply(delta);
        return applied.IsSuccess
            && from.Version == 4
            && from.StateHash == to.StateHash
            && expectedHash == to.StateHash
            && from.Count == to.Count
            && from.ToSnapshot().ToJson().AsSpan().SequenceEqual(to.ToSnapshot().ToJson());
    }

    [Property]
    public bool Delta_through_its_wire_form_applies_the_same(int[] a, int[] b)
    {
        var from = Samples.State(a, 1);
        var to = Samples.State(b, 2);
        var parsed = Delta.FromGzip(Delta.Between(from, to).ToGzip());
        return parsed.IsSuccess && from.Apply(parsed.Value).IsSuccess && from.StateHash == to.StateHash;
    }

    [Fact]
    public void Removing_an_absent_id_is_refused_and_changes_nothing()
    {
        var state = Samples.State([1, 2, 3], 5);
        var before = state.StateHash;
        var delta = Delta.Create(Samples.Eu, 5, 6, [Samples.Entry(4)], [Samples.Entry(9).Id]);

        var result = state.Apply(delta);

        Assert.False(result.IsSuccess);
        Assert.Contains("removes", result.Error);
        Assert.Contains(Samples.Entry(9).Id.Hex, result.Error);
        Assert.Equal(before, state.StateHash);
        Assert.Equal(5, state.Version);
        Assert.False(state.Contains(Samples.Entry(4).Id));
    }

    [Fact]
    public void Adding_a_present_id_is_refused()
    {
        var state = Samples.State([1, 2, 3], 5);
        var result = state.Apply(Delta.Create(Samples.Eu, 5, 6, [Samples.Entry(2)], []));
        Assert.False(result.IsSuccess);
        Assert.Contains("already listed", result.Error);
        Assert.Equal(3, state.Count);
    }

    [Fact]
    public void Removing_and_adding_the_same_id_replaces_the_entry()
    {
        var state = Samples.State([1, 2], 5);
        var replacement = Samples.Entry(2, variant: 1);
        var result = state.Apply(Delta.Create(Samples.Eu, 5, 6, [replacement], [replacement.Id]));
        Assert.True(result.IsSuccess, result.Error);
        Assert.True(state.TryGetEntry(replacement.Id, out var held));
        Assert.Equal(replacement, held);
    }

    [Fact]
    public void A_delta_for_another_version_or_list_is_refused()
    {
        var state = Samples.State([1], 5);
        var wrongVersion = state.Apply(Delta.Create(Samples.Eu, 4, 5, [Samples.Entry(3)], []));
        Assert.False(wrongVersion.IsSuccess);
        Assert.Contains("version 5", wrongVersion.Error);

        var wrongList = state.Apply(Delta.Create(ListName.Parse("uk"), 5, 6, [Samples.Entry(3)], []));
        Assert.False(wrongList.IsSuccess);
        Assert.Contains("'uk'", wrongList.Error);
    }

    [Fact]
    public void Duplicate_entries_cannot_form_a_state()
    {
        var result = ListState.FromEntries(Samples.Eu, 1, [Samples.Entry(1), Samples.Entry(1, variant: 1)]);
        Assert.False(result.IsSuccess);
        Assert.Contains("twice", result.Error);
    }

    [Fact]
    public void Clone_is_independent()
    {
        var state = Samples.State([1, 2], 1);
        var copy = state.Clone();
        Assert.True(state.Apply(Delta.Create(Samples.Eu, 1, 2, [Samples.Entry(3)], [Samples.Entry(1).Id])).IsSuccess);
        Assert.Equal(1, copy.Version);
        Assert.True(copy.Contains(Samples.Entry(1).Id));
        Assert.Equal(Samples.State([1, 2], 1).StateHash, copy.StateHash);
    }

    [Fact]
    public void Delta_create_refuses_programming_errors()
    {
        Assert.Throws<ArgumentException>(() => Delta.Create(Samples.Eu, 2, 2, [], []));
        Assert.Throws<ArgumentException>(() => Delta.Create(Samples.Eu, 1, 2, [Samples.Entry(1), Samples.Entry(1)], []));
        Assert.Throws<ArgumentException>(() => Delta.Create(Samples.Eu, 1, 2, [], [Samples.Entry(1).Id, Samples.Entry(1).Id]));
        var forged = Samples.Entry(1) with { Expression = "other.example/" };
        Assert.Throws<ArgumentException>(() => Delta.Create(Samples.Eu, 1, 2, [forged], []));
    }
}
