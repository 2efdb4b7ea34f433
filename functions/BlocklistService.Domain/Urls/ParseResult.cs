namespace BlocklistService.Domain.Urls;

/// <summary>
/// Why an input was refused: a stable kebab-case <see cref="Code"/> for machines (see <see cref="RejectionCodes"/>)
/// and a sentence for people.
/// </summary>
public sealed record Rejection(string Code, string Message)
{
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>
/// The outcome of parsing untrusted input: either a value or the <see cref="Rejection"/> that explains why there is
/// none. Bad input never throws; only asking a failed result for its <see cref="Value"/> does.
/// </summary>
public sealed class ParseResult<T>
    where T : notnull
{
    private readonly T? value;

    private ParseResult(T? value, Rejection? failure)
    {
        this.value = value;
        Failure = failure;
    }

    /// <summary>True when a value was produced.</summary>
    public bool Success => Failure is null;

    /// <summary>The reason for refusal; null on success.</summary>
    public Rejection? Failure { get; }

    /// <summary>The parsed value; throws <see cref="InvalidOperationException"/> naming the rejection on failure.</summary>
    public T Value => Failure is null ? value! : throw new InvalidOperationException($"No value: {Failure}");

    public bool TryGetValue(out T result)
    {
        result = value!;
        return Failure is null;
    }

    public static ParseResult<T> ForValue(T value) => new(value, null);

    public static ParseResult<T> ForFailure(Rejection failure) => new(default, failure);

    public static ParseResult<T> ForFailure(string code, string message) => new(default, new Rejection(code, message));

    /// <summary>Carries a failure over to a result of another type.</summary>
    public ParseResult<TOther> ConvertFailure<TOther>()
        where TOther : notnull =>
        Failure is null
            ? throw new InvalidOperationException("A successful result has no failure to convert.")
            : ParseResult<TOther>.ForFailure(Failure);

    public override string ToString() => Failure is null ? $"{value}" : Failure.ToString();
}
