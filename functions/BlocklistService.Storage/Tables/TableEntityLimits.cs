namespace BlocklistService.Storage.Tables;

/// <summary>
/// The Table service's limits, checked before a request is sent so a bad entity fails with a message naming the
/// property instead of an opaque 400: key characters and length, property names, 64 KiB strings and binaries,
/// 252 custom properties, 1 MiB per entity (sized by the documented formula).
/// </summary>
public static class TableEntityLimits
{
    /// <summary>1 KiB of UTF-16: 512 characters.</summary>
    public const int MaxKeyLength = 512;
    public const int MaxPropertyNameLength = 255;
    public const int MaxCustomProperties = 252;
    public const int MaxStringBytes = 64 * 1024;
    public const int MaxBinaryBytes = 64 * 1024;
    public const int MaxEntityBytes = 1024 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="key"/> cannot be a PartitionKey or RowKey.</summary>
    public static void ValidateKey(string? key, string name)
    {
        if (key is null)
        {
            throw new ArgumentException($"{name} is required.", name);
        }

        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"{name} is {key.Length} characters long; the Table service allows at most {MaxKeyLength} (1 KiB).", name);
        }

        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || c <= '\u001F' || c is >= '\u007F' and <= '\u009F')
            {
                throw new ArgumentException($"{name} contains the character U+{(int)c:X4}, which the Table service does not allow in keys (/ \\ # ? and control characters).", name);
            }
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first limit <paramref name="entity"/> breaks.</summary>
    public static void Validate(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ValidateKey(entity.PartitionKey, TableEntity.PartitionKeyName);
        ValidateKey(entity.RowKey, TableEntity.RowKeyName);
        long size = 4 + (entity.PartitionKey.Length * 2) + (entity.RowKey.Length * 2);
        var custom = 0;
        foreach (var (name, value) in entity)
        {
            if (name is TableEntity.PartitionKeyName or TableEntity.RowKeyName or TableEntity.TimestampName || value is null)
            {
                continue;
            }

            custom++;
            ValidatePropertyName(name);
            size += 8 + (name.Length * 2) + ValueSize(name, value);
        }

        if (custom > MaxCustomProperties)
        {
            throw new ArgumentException($"The entity has {custom} properties; the Table service allows at most {MaxCustomProperties} besides PartitionKey, RowKey and Timestamp.", nameof(entity));
        }

        if (size > MaxEntityBytes)
        {
            throw new ArgumentException($"The entity is about {size} bytes; the Table service allows at most {MaxEntityBytes} (1 MiB).", nameof(entity));
        }
    }

    private static void ValidatePropertyName(string name)
    {
        if (name.Length == 0 || name.Length > MaxPropertyNameLength)
        {
            throw new ArgumentException($"Property name '{name}' must be 1 to {MaxPropertyNameLength} characters long.", nameof(name));
        }

        if (!(char.IsLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"Property name '{name}' is not valid: use letters, digits and '_', starting with a letter or '_'.", nameof(name));
        }
    }

    private static long ValueSize(string name, object value)
    {
        switch (value)
        {
            case string s:
                if (s.Length * 2 > MaxStringBytes)
                {
                    throw new ArgumentException($"Property '{name}' is a string of {s.Length} characters ({s.Length * 2} bytes as UTF-16); the Table service allows at most {MaxStringBytes} bytes (64 KiB).", nameof(value));
                }

                return 4 + (s.Length * 2);
            case byte[] or BinaryData:
                var length = value is byte[] b ? b.Length : ((BinaryData)value).ToMemory().Length;
                if (length > MaxBinaryBytes)
                {
                    throw new ArgumentException($"Property '{name}' is {length} bytes of binary; the Table service allows at most {MaxBinaryBytes} (64 KiB).", nameof(value));
                }

                return 4 + length;
            case bool:
                return 1;
            case int:
                return 4;
            case long or double or DateTime or DateTimeOffset:
                return 8;
            case Guid:
                return 16;
            default:
                throw new ArgumentException($"Property '{name}' has type {value.GetType().Name}; supported are string, int, long, double, bool, DateTimeOffset, DateTime, Guid, byte[] and BinaryData.", nameof(value));
        }
    }
}
