namespace BlocklistService.Domain.Urls;

/// <summary>What a canonical host is. Only names get host-suffix lookups; addresses are looked up as they are.</summary>
public enum HostKind
{
    /// <summary>A domain name (ASCII; internationalized labels are in punycode).</summary>
    Name,

    /// <summary>An IPv4 address in dotted-quad decimal.</summary>
    IPv4,

    /// <summary>A bracketed IPv6 address in RFC 5952 form, e.g. <c>[2001:db8::1]</c>.</summary>
    IPv6,
}
