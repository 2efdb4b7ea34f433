namespace BlocklistService.Cli.Exports;

/// <summary>What a listed host is, as far as DNS-based filters are concerned.</summary>
public enum DnsNameKind
{
    /// <summary>A host name every zone file and hosts file can hold: labels of [a-z0-9_-], 1-63 octets.</summary>
    Name,

    /// <summary>An IPv4 or IPv6 literal: no QNAME ever asks for it.</summary>
    IpLiteral,

    /// <summary>Not representable as a plain DNS name (empty or long labels, other characters, too long overall).</summary>
    Unrepresentable,
}

/// <summary>
/// Host names as DNS filters see them. Listed hosts are canonical (lowercase, IDN already punycode), so anything
/// outside letters, digits, '-' and '_' cannot be what a resolver is asked for and is not written as a trigger.
/// </summary>
public static class DnsName
{
    /// <summary>The longest name in presentation form without the final dot (255 octets on the wire).</summary>
    public const int MaxLength = 253;

    /// <summary>The host part of an expression (<c>host/path?query</c>): everything before the first '/'.</summary>
    public static string HostOf(string expression)
    {
        var slash = expression.IndexOf('/');
        return slash < 0 ? expression : expression[..slash];
    }

    /// <summary>
    /// Classifies <paramref name="host"/> (no trailing dot). <paramref name="reserve"/> is the length that will be put
    /// in front of or after the name (e.g. 2 for a <c>*.</c> wildcard), counted against <see cref="MaxLength"/>.
    /// </summary>
    public static DnsNameKind Classify(string host, int reserve = 0)
    {
        if (host.Length == 0)
        {
            return DnsNameKind.Unrepresentable;
        }

        if (host[0] == '[' || host.Contains(':') || IsDottedQuad(host))
        {
            return DnsNameKind.IpLiteral;
        }

        if (host.Length + reserve > MaxLength)
        {
            return DnsNameKind.Unrepresentable;
        }

        var labelLength = 0;
        foreach (var c in host)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    return DnsNameKind.Unrepresentable;
                }

                labelLength = 0;
                continue;
            }

            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-' || c == '_') || ++labelLength > 63)
            {
                return DnsNameKind.Unrepresentable;
            }
        }

        return labelLength == 0 ? DnsNameKind.Unrepresentable : DnsNameKind.Name;
    }

    private static bool IsDottedQuad(string host)
    {
        var parts = host.Split('.');
        return parts.Length == 4 && parts.All(part => part.Length is > 0 and <= 3 && part.All(char.IsAsciiDigit));
    }
}
