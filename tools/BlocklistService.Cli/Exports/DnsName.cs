using System.Buffers;
using BlocklistService.Domain.Entries;
using BlocklistService.Domain.Lists;

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

    /// <summary>What a plain name consists of: lower-case ASCII letters, digits, '-', '_' and the dots between labels.</summary>
    private static readonly SearchValues<char> NameCharacters = SearchValues.Create("-.0123456789_abcdefghijklmnopqrstuvwxyz");

    /// <summary>The host part of an expression (<c>host/path?query</c>): everything before the first '/'.</summary>
    public static string HostOf(string expression)
    {
        var slash = expression.IndexOf('/');
        return slash < 0 ? expression : expression[..slash];
    }

    /// <summary>
    /// The name a DNS filter triggers on for <paramref name="entry"/>: its host when the entry is host-scoped and the host
    /// is a plain name (with <paramref name="reserve"/> characters to spare); otherwise null and the reason it is left out.
    /// </summary>
    public static string? HostKeyOf(ListEntry entry, int reserve, out string? skipReason)
    {
        skipReason = null;
        if (entry.Scope != EntryScope.Host)
        {
            skipReason = SkipReasons.UrlLevel;
            return null;
        }

        var host = HostOf(entry.Expression);
        switch (Classify(host, reserve))
        {
            case DnsNameKind.Name: return host;
            case DnsNameKind.IpLiteral: skipReason = SkipReasons.IpLiteral; return null;
            default: skipReason = SkipReasons.Unrepresentable; return null;
        }
    }

    /// <summary>
    /// Classifies <paramref name="host"/> (no trailing dot). <paramref name="reserve"/> is the length that will be put
    /// in front of or after the name (e.g. 2 for a <c>*.</c> wildcard), counted against <see cref="MaxLength"/>.
    /// </summary>
    public static DnsNameKind Classify(string host, int reserve = 0) => Classify(host.AsSpan(), reserve);

    /// <summary>As <see cref="Classify(string, int)"/>, over a slice (e.g. the host part of an expression) without copying it.</summary>
    public static DnsNameKind Classify(ReadOnlySpan<char> host, int reserve = 0)
    {
        if (host.Length == 0)
        {
            return DnsNameKind.Unrepresentable;
        }

        if (host[0] == '[' || host.Contains(':') || IsDottedQuad(host))
        {
            return DnsNameKind.IpLiteral;
        }

        if (host.Length + reserve > MaxLength || host.ContainsAnyExcept(NameCharacters))
        {
            return DnsNameKind.Unrepresentable;
        }

        // Every label 1-63 characters: no leading, trailing or repeated dot.
        while (true)
        {
            var dot = host.IndexOf('.');
            var label = dot < 0 ? host.Length : dot;
            if (label is 0 or > 63)
            {
                return DnsNameKind.Unrepresentable;
            }

            if (dot < 0)
            {
                return DnsNameKind.Name;
            }

            host = host[(dot + 1)..];
        }
    }

    /// <summary>Four dot-separated parts of one to three ASCII digits each, checked in one pass without splitting.</summary>
    private static bool IsDottedQuad(ReadOnlySpan<char> host)
    {
        var dots = 0;
        var digits = 0;
        foreach (var c in host)
        {
            if (c == '.')
            {
                if (digits is 0 or > 3 || ++dots > 3)
                {
                    return false;
                }

                digits = 0;
            }
            else if (char.IsAsciiDigit(c))
            {
                digits++;
            }
            else
            {
                return false;
            }
        }

        return dots == 3 && digits is > 0 and <= 3;
    }
}
