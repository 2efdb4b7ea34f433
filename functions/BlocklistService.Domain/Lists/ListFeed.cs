namespace BlocklistService.Domain.Lists;

/// <summary>
/// Which flavour of a list's artifacts a client receives. <see cref="Plain"/> carries each entry's expression (what
/// DNS zones, hosts files and proxy ACLs need); <see cref="Hashed"/> carries ids, scopes and categories only, so a
/// client that holds it never holds a readable list: it matches a URL by hashing the URL's lookup expressions.
/// Wire names are lowercase: <c>plain</c>, <c>hashed</c>.
/// </summary>
public enum ListFeed
{
    Plain,
    Hashed,
}

/// <summary>Wire names for <see cref="ListFeed"/>.</summary>
public static class ListFeedNames
{
    public const string Plain = "plain";

    public const string Hashed = "hashed";

    public static string ToWireName(this ListFeed feed) => feed switch
    {
        ListFeed.Plain => Plain,
        ListFeed.Hashed => Hashed,
        _ => throw new ArgumentOutOfRangeException(nameof(feed)),
    };

    public static bool TryParse(string? value, out ListFeed feed)
    {
        switch (value)
        {
            case Plain: feed = ListFeed.Plain; return true;
            case Hashed: feed = ListFeed.Hashed; return true;
            default: feed = default; return false;
        }
    }
}
