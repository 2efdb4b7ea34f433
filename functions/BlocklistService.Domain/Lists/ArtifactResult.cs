namespace BlocklistService.Domain.Lists;

/// <summary>
/// The outcome of parsing or checking an artifact: a value, or a message saying what is wrong (naming the field),
/// so callers can report it instead of catching exceptions from deep inside.
/// </summary>
public readonly record struct ArtifactResult<T>
{
    private readonly T? _value;

    private ArtifactResult(T? value, string? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>Null on success; otherwise what is wrong, e.g. <c>adds[3].id: does not match the expression</c>.</summary>
    public string? Error { get; }

    public bool IsSuccess => Error is null;

    /// <summary>The value; throws <see cref="InvalidOperationException"/> (with the error) on failure.</summary>
    public T Value => Error is null ? _value! : throw new InvalidOperationException(Error);

    public static ArtifactResult<T> Success(T value) => new(value, null);

    public static ArtifactResult<T> Failure(string error) => new(default, error);

    public bool TryGetValue(out T value)
    {
        value = _value!;
        return Error is null;
    }

    public override string ToString() => Error is null ? $"ok: {_value}" : $"error: {Error}";
}
