using BlocklistService.Domain.Transparency;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Publishing;

namespace BlocklistService.Domain.Tests.Publishing;

public sealed class PublishPlannerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private static PendingChange Item(string submission, int index, JournalAction action, string expression, string hotline, int reviewDays = 30, int acceptedMinute = 0) =>
        new(submission, index, Now.AddMinutes(-60 + acceptedMinute), action, EntryId.ForExpression(expression), expression, EntryScope.Exact,
            "csam", hotline, $"{hotline}-ref-{submission}-{index}", Now.AddDays(-1), Now.AddDays(reviewDays));

    private static PlanInput Input(IReadOnlyList<PendingChange> items, IReadOnlyDictionary<EntryId, EntryState>? entries = null,
        IReadOnlyList<DueExpiry>? expiries = null, long version = 4, long count = 10) =>
        new("eu", version, count, Now, TimeSpan.FromDays(7), items.Select(i => i.SubmissionId).Distinct().ToList(), items,
            expiries ?? [], entries ?? new Dictionary<EntryId, EntryState>());

    private static EntryState Listed(string expression, params (string Hotline, DateTimeOffset ReviewBy)[] backings) =>
        new(EntryId.ForExpression(expression), expression, EntryScope.Exact, "csam",
            backings.Select(b => new Backing(b.Hotline, "r", Now.AddDays(-10), b.ReviewBy, "old", 0)).ToList(), 1, null);

    [Fact]
    public void An_add_of_a_new_entry_lists_it_in_the_next_version()
    {
        var plan = PublishPlanner.Plan(Input([Item("s1", 0, JournalAction.Add, "evil.example/a", "h1")]));

        Assert.Equal(5, plan.Version);
        Assert.Equal(Now, plan.Created);
        Assert.Equal(Now.AddDays(7), plan.Expires);
        var listed = Assert.Single(plan.Listed);
        Assert.Equal("evil.example/a", listed.Expression);
        Assert.Empty(plan.Unlisted);
        Assert.Equal(11, plan.Count);
        var leaf = Assert.Single(plan.Leaves);
        Assert.Equal(LogLeafKind.Add, leaf.Kind);
        Assert.Equal(5, leaf.Version);
        var write = Assert.Single(plan.EntryWrites);
        Assert.Equal(5, write.AddedIn);
        Assert.Equal(new DueExpiry(listed.Id, "h1", Now.AddDays(30)), Assert.Single(plan.ExpiryRowsAdded));
        Assert.Equal(new ItemPublication("s1", 0, "eu", 5, PublicationOutcome.Applied), Assert.Single(plan.Publications));
        Assert.Equal(["s1"], plan.ConsumedSubmissions);
    }

    [Fact]
    public void A_second_hotline_backing_a_listed_entry_changes_no_delta_but_logs_a_leaf()
    {
        var entry = Listed("evil.example/a", ("h1", Now.AddDays(5)));
        var plan = PublishPlanner.Plan(Input([Item("s1", 0, JournalAction.Add, "evil.example/a", "h2")],
            new Dictionary<EntryId, EntryState> { [entry.Id] = entry }));

        Assert.Empty(plan.Listed);
        Assert.Empty(plan.Unlisted);
        Assert.Equal(10, plan.Count);
        Assert.Equal(LogLeafKind.Add, Assert.Single(plan.Leaves).Kind);
        Assert.Equal(["h1", "h2"], Assert.Single(plan.EntryWrites).Backings.Select(b => b.Hotline));
    }

    [Fact]
    public void Reverification_extends_review_by_and_moves_the_expiry_row()
    {
        var entry = Listed("evil.example/a", ("h1", Now.AddDays(5)));
        var plan = PublishPlanner.Plan(Input([Item("s1", 0, JournalAction.Add, "evil.example/a", "h1", reviewDays: 90)],
            new Dictionary<EntryId, EntryState> { [entry.Id] = entry }));

        Assert.Empty(plan.Listed);
        Assert.Equal(Now.AddDays(90), Assert.Single(Assert.Single(plan.EntryWrites).Backings).ReviewBy);
        Assert.Equal(Now.AddDays(90), Assert.Single(plan.ExpiryRowsAdded).ReviewBy);
        Assert.Equal(Now.AddDays(5), Assert.Single(plan.ExpiryRowsDeleted).ReviewBy);
    }

    [Fact]
    public void Withdrawing_one_of_two_backings_keeps_the_entry_listed()
    {
        var entry = Listed("evil.example/a", ("h1", Now.AddDays(5)), ("h2", Now.AddDays(6)));
        var plan = PublishPlanner.Plan(Input([Item("s1", 0, JournalAction.Remove, "evil.example/a", "h1")],
            new Dictionary<EntryId, EntryState> { [entry.Id] = entry }));

        Assert.Empty(plan.Unlisted);
        Assert.Equal(LogLeafKind.Withdraw, Assert.Single(plan.Leaves).Kind);
        Assert.Equal("h2", Assert.Single(Assert.Single(plan.EntryWrites).Backings).Hotline);
        Assert.Equal("h1", Assert.Single(plan.ExpiryRowsDeleted).Hotline);
    }

    [Fact]
    public void Withdrawing_the_last_backing_unlists_the_entry()
    {
        var entry = Listed("evil.example/a", ("h1", Now.AddDays(5)));
        var plan = PublishPlanner.Plan(Input([Item("s1", 0, JournalAction.Remove, "evil.example/a", "h1")],
            new Dictionary<EntryId, EntryState> { [entry.Id] = entry }));

        Assert.Equal(entry.Id, Assert.Single(plan.Unlisted));
        Assert.Equal(9, plan.Count);
        Assert.Equal(LogLeafKind.Remove, Assert.Single(plan.Leaves).Kind);
        var write = Assert.Single(plan.EntryWrites);
        Assert.False(write.IsListed);
        Assert.Equal(5, write.RemovedIn);
    }

    [Fact]
    public void A_remove_by_a_hotline_that_does_not_back_the_entry_changes_nothing_and_says_so()
    {
        var entry = Listed("evil.example/a", ("h1", Now.AddDays(5)));
        var plan = PublishPlanner.Plan(Input(
            [Item("s1", 0, JournalAction.Remove, "evil.example/a", "h2"), Item("s1", 1, JournalAction.Remove, "never.example/", "h2")],
            new Dictionary<EntryId, EntryState> { [entry.Id] = entry }));

        Assert.Empty(plan.Unlisted);
        Assert.Empty(plan.Leaves);
        Assert.Empty(plan.EntryWrites);
        Assert.All(plan.Publications, p => Assert.Equal(PublicationOutcome.NotBacked, p.Outcome));
        Assert.Equal(2, plan.Publications.Count);
    }

    [Fact]
    public void A_backing_past_its_review_by_expires()
    {
        var entry = Listed("evil.example/a", ("h1", Now.AddMinutes(-1)));
        var due = new DueExpiry(entry.Id, "h1", Now.AddMinutes(-1));
        var plan = PublishPlanner.Plan(Input([], new Dictionary<EntryId, EntryState> { [entry.Id] = entry }, [due]));

        Assert.Equal(entry.Id, Assert.Single(plan.Unlisted));
        var leaf = Assert.Single(plan.Leaves);
        Assert.Equal(LogLeafKind.Expire, leaf.Kind);
        Assert.False(leaf.ListedAfter);
        Assert.Equal(due, Assert.Single(plan.ExpiryRowsDeleted));
        Assert.Empty(plan.ExpiryRowsAdded);
    }

    [Fact]
    public void A_stale_expiry_row_is_deleted_without_touching_a_reverified_backing()
    {
        var entry = Listed("evil.example/a", ("h1", Now.AddDays(30)));
        var stale = new DueExpiry(entry.Id, "h1", Now.AddDays(-2));
        var plan = PublishPlanner.Plan(Input([], new Dictionary<EntryId, EntryState> { [entry.Id] = entry }, [stale]));

        Assert.Empty(plan.Unlisted);
        Assert.Empty(plan.Leaves);
        Assert.Empty(plan.EntryWrites);
        Assert.Equal(stale, Assert.Single(plan.ExpiryRowsDeleted));
    }

    [Fact]
    public void An_expired_backing_reverified_in_the_same_version_stays_listed()
    {
        var entry = Listed("evil.example/a", ("h1", Now.AddMinutes(-1)));
        var plan = PublishPlanner.Plan(Input([Item("s1", 0, JournalAction.Add, "evil.example/a", "h1")],
            new Dictionary<EntryId, EntryState> { [entry.Id] = entry }, [new DueExpiry(entry.Id, "h1", Now.AddMinutes(-1))]));

        Assert.Empty(plan.Listed);
        Assert.Empty(plan.Unlisted);
        Assert.Equal([LogLeafKind.Expire, LogLeafKind.Add], plan.Leaves.Select(l => l.Kind));
    }

    [Fact]
    public void Items_apply_in_acceptance_order_so_add_then_remove_nets_to_nothing_listed()
    {
        var remove = Item("s2", 0, JournalAction.Remove, "evil.example/a", "h1", acceptedMinute: 5);
        var add = Item("s1", 0, JournalAction.Add, "evil.example/a", "h1", acceptedMinute: 1);
        var plan = PublishPlanner.Plan(Input([remove, add]));

        Assert.Empty(plan.Listed);
        Assert.Empty(plan.Unlisted);
        Assert.Equal([LogLeafKind.Add, LogLeafKind.Remove], plan.Leaves.Select(l => l.Kind));
        Assert.Equal(10, plan.Count);
        Assert.Empty(plan.ExpiryRowsAdded);
    }

    [Fact]
    public void Planning_is_deterministic_whatever_the_input_order()
    {
        var items = Enumerable.Range(0, 50)
            .Select(i => Item($"s{i % 7}", i, i % 3 == 0 ? JournalAction.Remove : JournalAction.Add, $"x{i % 11}.example/", $"h{i % 4}", acceptedMinute: i % 5))
            .ToList();
        var a = PublishPlanner.Plan(Input(items));
        var b = PublishPlanner.Plan(Input(items.AsEnumerable().Reverse().ToList()));

        Assert.Equal(a.Listed, b.Listed);
        Assert.Equal(a.Unlisted, b.Unlisted);
        Assert.Equal(a.Leaves.Select(l => Convert.ToHexString(l.ToLeafBytes())), b.Leaves.Select(l => Convert.ToHexString(l.ToLeafBytes())));
        Assert.Equal(a.Publications, b.Publications);
        Assert.Equal(a.EntryWrites.Select(e => (e.Id, e.Backings.Count)), b.EntryWrites.Select(e => (e.Id, e.Backings.Count)));
        Assert.Equal(a.ExpiryRowsAdded, b.ExpiryRowsAdded);
        Assert.Equal(a.Count, b.Count);
    }
}
