using System.Collections;
using System.Globalization;
using Azure;

namespace BlocklistService.Storage.Tables;

/// <summary>
/// A table entity as a string-keyed property bag, like Azure.Data.Tables' <c>TableEntity</c>. Values are
/// <see cref="string"/>, <see cref="int"/>, <see cref="long"/>, <see cref="double"/>, <see cref="bool"/>,
/// <see cref="DateTimeOffset"/> (or <see cref="DateTime"/>), <see cref="Guid"/> and <c>byte[]</c> (or
/// <see cref="BinaryData"/>). The typed getters convert where no information is lost (an Int32 read back as
/// Int64 or Double, a Guid or date stored as a string), so a value read from the service needs no cast.
/// </summary>
public sealed class TableEntity : IDictionary<string, object>
{
    internal const string PartitionKeyName = "PartitionKey";
    internal const string RowKeyName = "RowKey";
    internal const string TimestampName = "Timestamp";

    private readonly Dictionary<string, object> _properties = new(StringComparer.Ordinal);

    public TableEntity()
    {
    }

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public TableEntity(IDictionary<string, object> values)
    {
        foreach (var (key, value) in values)
        {
            this[key] = value;
        }
    }

    public string PartitionKey
    {
        get => GetString(PartitionKeyName) ?? string.Empty;
        set => _properties[PartitionKeyName] = value;
    }

    public string RowKey
    {
        get => GetString(RowKeyName) ?? string.Empty;
        set => _properties[RowKeyName] = value;
    }

    /// <summary>Set by the service on every write; ignored when writing.</summary>
    public DateTimeOffset? Timestamp
    {
        get => GetDateTimeOffset(TimestampName);
        set
        {
            if (value is null)
            {
                _properties.Remove(TimestampName);
            }
            else
            {
                _properties[TimestampName] = value.Value;
            }
        }
    }

    /// <summary>The entity's version as last read or written; use it with <c>If-Match</c> updates.</summary>
    public ETag ETag { get; set; }

    public string? GetString(string key) => Get(key) switch
    {
        null => null,
        string s => s,
        var other => throw Mismatch(key, other, "String"),
    };

    public long? GetInt64(string key) => Get(key) switch
    {
        null => null,
        long l => l,
        int i => i,
        string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
        var other => throw Mismatch(key, other, "Int64"),
    };

    public int? GetInt32(string key) => Get(key) switch
    {
        null => null,
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        var other => throw Mismatch(key, other, "Int32"),
    };

    public double? GetDouble(string key) => Get(key) switch
    {
        null => null,
        double d => d,
        int i => i,
        long l => l,
        var other => throw Mismatch(key, other, "Double"),
    };

    public bool? GetBoolean(string key) => Get(key) switch
    {
        null => null,
        bool b => b,
        var other => throw Mismatch(key, other, "Boolean"),
    };

    public DateTimeOffset? GetDateTimeOffset(string key) => Get(key) switch
    {
        null => null,
        DateTimeOffset d => d,
        DateTime d => new DateTimeOffset(d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : d.ToUniversalTime()),
        string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d) => d,
        var other => throw Mismatch(key, other, "DateTime"),
    };

    public Guid? GetGuid(string key) => Get(key) switch
    {
        null => null,
        Guid g => g,
        string s when Guid.TryParse(s, out var g) => g,
        var other => throw Mismatch(key, other, "Guid"),
    };

    public byte[]? GetBinary(string key) => Get(key) switch
    {
        null => null,
        byte[] b => b,
        BinaryData b => b.ToArray(),
        var other => throw Mismatch(key, other, "Binary"),
    };

    public BinaryData? GetBinaryData(string key) => GetBinary(key) is { } bytes ? new BinaryData(bytes) : null;

    public object this[string key]
    {
        get => _properties[key];
        set => _properties[key] = value;
    }

    public ICollection<string> Keys => _properties.Keys;

    public ICollection<object> Values => _properties.Values;

    public int Count => _properties.Count;

    public bool IsReadOnly => false;

    public void Add(string key, object value) => _properties.Add(key, value);

    public bool ContainsKey(string key) => _properties.ContainsKey(key);

    public bool Remove(string key) => _properties.Remove(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out object value) =>
        _properties.TryGetValue(key, out value);

    public void Add(KeyValuePair<string, object> item) => _properties.Add(item.Key, item.Value);

    public void Clear() => _properties.Clear();

    public bool Contains(KeyValuePair<string, object> item) => ((ICollection<KeyValuePair<string, object>>)_properties).Contains(item);

    public void CopyTo(KeyValuePair<string, object>[] array, int arrayIndex) =>
        ((ICollection<KeyValuePair<string, object>>)_properties).CopyTo(array, arrayIndex);

    public bool Remove(KeyValuePair<string, object> item) => ((ICollection<KeyValuePair<string, object>>)_properties).Remove(item);

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private object? Get(string key) => _properties.TryGetValue(key, out var value) ? value : null;

    private static InvalidOperationException Mismatch(string key, object value, string wanted) =>
        new($"Property '{key}' holds a {value.GetType().Name}, which cannot be read as {wanted}.");
}
