using System.Security.Cryptography;
using System.Text;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Publishing;
using BlocklistService.Domain.Matching;
using BlocklistService.Domain.Urls;
using BlocklistService.Functions.Publishing;
using BlocklistService.Functions.Stores;
using Microsoft.Extensions.Options;

namespace BlocklistService.Functions.Redress;

/// <summary>An appeal as filed: its ticket and the secret that shows its status (returned once, stored hashed).</summary>
public sealed record FiledAppeal(string Ticket, string Secret);

/// <summary>A listed entry an appeal concerns: its list, id, expression, scope and backing hotlines.</summary>
public sealed record ConcernedEntry(string List, EntryId Id, string Expression, EntryScope Scope, IReadOnlyList<string> Hotlines);

/// <summary>
/// Appeals (docs/operations.md, "Appeals"): filing never reads the lists (the answer, its timing and what is stored
/// are the same for listed and unlisted URLs); status by ticket and secret; the queue per hotline (appeals about
/// entries it backs) or for admins; decisions by an analyst who did not verify the entry, logged as a decision leaf
/// before they act; an upheld appeal withdraws every backing hotline's support, so the next version removes the entry.
/// </summary>
public sealed class AppealDesk(
    IRowStore rows,
    PublishStorageNames names,
    ListCatalog lists,
    IOptions<AppealOptions> options,
    TimeProvider time)
{
    /// <summary>Point reads issued at once while matching appeals against the lists.</summary>
    public const int ReadConcurrency = 16;

    /// <summary>Files an appeal. The URL must canonicalize (checked by syntax alone); nothing is looked up.</summary>
    public async Task<FiledAppeal> FileAsync(CanonicalUrl url, string submittedUrl, string contact, string statement, CancellationToken cancellationToken)
    {
        var ticket = "a" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(24));
        var appeal = new Appeal
        {
            Ticket = ticket,
            SecretSha256 = SHA256.HashData(Encoding.ASCII.GetBytes(secret)),
            Url = submittedUrl,
            Contact = contact,
            Statement = statement,
            Candidates = UrlMatcher.CandidateIds(url),
            Received = time.GetUtcNow(),
        };
        await rows.AddAsync(names.Appeals, AppealCodec.ToRow(appeal), cancellationToken);
        return new FiledAppeal(ticket, secret);
    }

    /// <summary>The appeal when <paramref name="secret"/> is its secret (constant-time compare); null otherwise, alike for an unknown ticket.</summary>
    public async Task<Appeal?> GetWithSecretAsync(string ticket, string? secret, CancellationToken cancellationToken)
    {
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(secret ?? ""));
        var appeal = IsTicket(ticket) ? await GetAsync(ticket, cancellationToken) : null;
        var expected = appeal?.SecretSha256 ?? new byte[SHA256.HashSizeInBytes];
        var matches = CryptographicOperations.FixedTimeEquals(presented, expected);
        return appeal is not null && matches && secret is not null ? appeal : null;
    }

    public async Task<Appeal?> GetAsync(string ticket, CancellationToken cancellationToken) =>
        IsTicket(ticket) && await rows.GetAsync(names.Appeals, AppealCodec.Partition, ticket, cancellationToken) is { } row ? AppealCodec.FromRow(row) : null;

    /// <summary>
    /// Appeals with <paramref name="status"/> (null: all), oldest first, each with the listed entries it concerns now
    /// (open ones) or concerned when decided. A hotline (<paramref name="hotline"/> set) sees only appeals concerning an
    /// entry it backs.
    /// </summary>
    public async Task<IReadOnlyList<(Appeal Appeal, IReadOnlyList<ConcernedEntry> Concerns)>> QueueAsync(AppealStatus? status, string? hotline, CancellationToken cancellationToken)
    {
        var appeals = new List<Appeal>();
        await foreach (var row in rows.QueryAsync(names.Appeals, AppealCodec.Partition, null, null, cancellationToken))
        {
            var appeal = AppealCodec.FromRow(row);
            if (status is null || appeal.Status == status)
            {
                appeals.Add(appeal);
            }
        }

        var listNames = (await lists.NamesAsync(cancellationToken)).Order(StringComparer.Ordinal).ToList();
        var result = new (Appeal, IReadOnlyList<ConcernedEntry>)[appeals.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, appeals.Count), new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => result[i] = (appeals[i], appeals[i].Status == AppealStatus.Open ? await ConcernsAsync(appeals[i], listNames, ct) : Decided(appeals[i])));
        return result
            .Where(a => hotline is null || a.Item2.Any(c => c.Hotlines.Contains(hotline, StringComparer.Ordinal)))
            .OrderBy(a => a.Item1.Received)
            .ToList();
    }

    /// <summary>True when an open appeal has waited longer than <see cref="AppealOptions.StaleAfter"/>.</summary>
    public bool IsStale(Appeal appeal) => appeal.Status == AppealStatus.Open && time.GetUtcNow() - appeal.Received > options.Value.StaleAfter;

    /// <summary>The listed entries of every list that one of the appeal's candidate ids names, with their backing hotlines.</summary>
    public async Task<IReadOnlyList<ConcernedEntry>> ConcernsAsync(Appeal appeal, IReadOnlyList<string> listNames, CancellationToken cancellationToken)
    {
        var reads = listNames.SelectMany(list => appeal.Candidates.Select(id => (list, id))).ToList();
        var found = await Task.WhenAll(reads.Select(async read =>
            await rows.GetAsync(names.Entries, read.list, EntryRows.RowKey(read.id), cancellationToken) is { } row && EntryRows.FromRow(read.id, row) is { IsListed: true } entry
                ? new ConcernedEntry(read.list, entry.Id, entry.Expression, entry.Scope, entry.Backings.Select(b => b.Hotline).Order(StringComparer.Ordinal).ToList())
                : null));
        return found.OfType<ConcernedEntry>().ToList();
    }

    private static IReadOnlyList<ConcernedEntry> Decided(Appeal appeal) =>
        appeal.Decision is { } decision
            ? decision.Entries.Select(id => new ConcernedEntry("", id, "", EntryScope.Exact, decision.Hotlines)).ToList()
            : [];

    private static bool IsTicket(string ticket) => ticket.Length == 25 && ticket[0] == 'a' && ticket.Skip(1).All(char.IsAsciiHexDigitLower);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
