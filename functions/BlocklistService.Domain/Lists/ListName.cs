namespace BlocklistService.Domain.Lists;

/// <summary>A list's name: 1–32 characters of [a-z0-9-], e.g. <c>eu</c>, <c>uk</c>, <c>de</c>.</summary>
public readonly record struct ListName
{
    private ListName(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse(string? value, out ListName name)
    {
        name = default;
        if (string.IsNullOrEmpty(value) || value.Length > 32)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        name = new ListName(value);
        return true;
    }

    public static ListName Parse(string value) =>
        TryParse(value, out var name) ? name : throw new FormatException($"'{value}' is not a list name ([a-z0-9-]{{1,32}})");

    public override string ToString() => Value;
}
