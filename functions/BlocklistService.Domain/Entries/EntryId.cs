using System.Security.Cryptography;
using System.Text;

namespace BlocklistService.Domain.Entries;

/// <summary>An entry's identity: the lowercase hex SHA-256 of its expression's UTF-8 bytes.</summary>
public readonly record struct EntryId
{
    private EntryId(string hex) => Hex = hex;

    /// <summary>64 lowercase hex characters.</summary>
    public string Hex { get; }

    /// <summary>The id of an expression (host + path as Safe Browsing writes it, e.g. <c>evil.example/a/</c>).</summary>
    public static EntryId ForExpression(string expression) =>
        new(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(expression))));

    /// <summary>Parses 64 hex characters (either case); false for anything else.</summary>
    public static bool TryParse(string? value, out EntryId id)
    {
        id = default;
        if (value is null || value.Length != 64)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        id = new EntryId(value.ToLowerInvariant());
        return true;
    }

    /// <summary>The 32 raw bytes.</summary>
    public byte[] ToBytes() => Convert.FromHexString(Hex);

    public override string ToString() => Hex;
}
