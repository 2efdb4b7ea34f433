using System.Globalization;

namespace BlocklistService.Storage.Tables;

/// <summary>
/// Formats the values interpolated into an OData filter as typed literals, so a filter is never concatenated
/// from raw input: strings quoted with single quotes doubled, <c>datetime'…'</c>, <c>guid'…'</c>, <c>123L</c>,
/// <c>X'0aff'</c>, <c>true</c>/<c>false</c>, <c>null</c>.
/// </summary>
internal sealed class TableQueryFilter : IFormatProvider, ICustomFormatter
{
    public static TableQueryFilter Instance { get; } = new();

    public object? GetFormat(Type? formatType) => formatType == typeof(ICustomFormatter) ? this : null;

    public string Format(string? format, object? arg, IFormatProvider? formatProvider)
    {
        if (arg is null)
        {
            return "null";
        }

        if (format is not null && arg is not (int or long or double or float or decimal))
        {
            throw new ArgumentException($"A format specifier ('{format}') is only allowed on numbers in a query filter; format {arg.GetType().Name} values before interpolating them.");
        }

        var invariant = CultureInfo.InvariantCulture;
        return arg switch
        {
            string s => Quote(s),
            char c => Quote(c.ToString()),
            bool b => b ? "true" : "false",
            int or short or byte or sbyte or ushort => ((IFormattable)arg).ToString(format, invariant),
            long l => l.ToString(format, invariant) + "L",
            uint u => ((long)u).ToString(format, invariant) + "L",
            double d => Double(d, format),
            float f => Double(f, format),
            decimal m => Double((double)m, format),
            DateTimeOffset d => $"datetime'{TableEntityJson.FormatDate(d)}'",
            DateTime d => $"datetime'{TableEntityJson.FormatDate(new DateTimeOffset(d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : d.ToUniversalTime()))}'",
            Guid g => $"guid'{g:D}'",
            byte[] bytes => $"X'{Convert.ToHexStringLower(bytes)}'",
            BinaryData data => $"X'{Convert.ToHexStringLower(data.ToMemory().Span)}'",
            _ => throw new ArgumentException($"Values of type {arg.GetType().Name} cannot be used in a query filter."),
        };
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Double(double value, string? format)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentException("NaN and infinities cannot be used in a query filter.");
        }

        var text = value.ToString(format ?? "R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(['.', 'E', 'e']) < 0 ? text + ".0" : text;
    }
}
