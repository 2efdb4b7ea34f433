namespace BlocklistService.Domain;

/// <summary>
/// Why an input was refused: a stable kebab-case <see cref="Code"/> for machines (see <see cref="Urls.RejectionCodes"/>,
/// <see cref="Acceptance.AcceptanceRule"/>) and a sentence for people, naming the field or rule.
/// </summary>
public sealed record Rejection(string Code, string Message)
{
    /// <summary>The code of a malformed artifact (a file whose bytes do not parse as their format).</summary>
    public const string Malformed = "malformed";

    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>
/// The outcome of parsing or checking untrusted input (a URL, an artifact, a key, a leaf): either a value or the
/// <see cref="Rejection"/> that explains why there is none, so callers report it instead of catching exceptions from
/// deep inside. Bad input never throws; only asking a failed result for its <see cref="Value"/> does.
/// </summary>
public readonly record struct Result<T>
{
    private readonly T? _value;

    private Result(T? value, Rejection? rejection)
    {
        _value = value;
        Rejection = rejection;
    }

    /// <summary>Null on success; otherwise the code and what is wrong.</summary>
    public Rejection? Rejection { get; }

    /// <summary>Null on success; otherwise what is wrong, e.g. <c>adds[3].id: does not match the expression</c>.</summary>
    public string? Error => Rejection?.Message;

    public bool IsSuccess => Rejection is null;

    /// <summary>The value; throws <see cref="InvalidOperationException"/> (naming the rejection) on failure.</summary>
    public T Value => Rejection is null ? _value! : throw new InvalidOperationException($"No value: {Rejection}");

    public static Result<T> Success(T value) => new(value, null);

    /// <summary>A failure of a malformed artifact (code <see cref="Rejection.Malformed"/>).</summary>
    public static Result<T> Failure(string error) => new(default, new Rejection(Rejection.Malformed, error));

    public static Result<T> Failure(string code, string message) => new(default, new Rejection(code, message));

    public static Result<T> Failure(Rejection rejection) => new(default, rejection);

    public bool TryGetValue(out T value)
    {
        value = _value!;
        return Rejection is null;
    }

    /// <summary>Carries a failure over to a result of another type.</summary>
    public Result<TOther> ConvertFailure<TOther>() =>
        Rejection is { } rejection
            ? Result<TOther>.Failure(rejection)
            : throw new InvalidOperationException("A successful result has no failure to convert.");

    public override string ToString() => Rejection is null ? $"ok: {_value}" : $"error: {Rejection}";
}
