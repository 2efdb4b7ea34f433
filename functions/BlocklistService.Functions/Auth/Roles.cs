namespace BlocklistService.Functions.Auth;

/// <summary>The four roles an API key can hold; each route accepts exactly one of them.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Hotline = "hotline";
    public const string Isp = "isp";
    public const string Auditor = "auditor";

    public static IReadOnlyList<string> All { get; } = [Admin, Hotline, Isp, Auditor];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

/// <summary>Claim types the API key handler puts on the principal.</summary>
public static class ApiKeyClaims
{
    public const string KeyId = "bls:key";
    public const string Organisation = "bls:org";
    public const string List = "bls:list";
    public const string Feed = "bls:feed";
}
