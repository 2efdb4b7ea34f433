namespace BlocklistService.Bench;

/// <summary>
/// One on-demand benchmark. Each measures the system and a baseline in the same run and prints both rates and
/// their ratio, so figures are comparable across machines. Implementations are found by reflection.
/// </summary>
public interface IBenchmark
{
    /// <summary>The name used on the command line, e.g. <c>canonicalize</c>.</summary>
    string Name { get; }

    /// <summary>One line saying what is measured and against what.</summary>
    string Description { get; }

    Task RunAsync(BenchmarkContext context, CancellationToken cancellationToken);
}

/// <summary>What a benchmark gets: an output writer, a scale factor and the checkout root.</summary>
public sealed record BenchmarkContext(TextWriter Output, double Scale, string RepositoryRoot)
{
    /// <summary>Scales a default count (e.g. <c>--scale 0.1</c> for a quick run), never below one.</summary>
    public int Scaled(int count) => Math.Max(1, (int)(count * Scale));

    public void Report(string metric, double value, string unit) =>
        Output.WriteLine($"  {metric,-48} {value,14:N1} {unit}");

    public void Ratio(string metric, double value, double goal, bool higherIsBetter = true)
    {
        var met = higherIsBetter ? value >= goal : value <= goal;
        Output.WriteLine($"  {metric,-48} {value,14:N2}   (goal {(higherIsBetter ? ">=" : "<=")} {goal}: {(met ? "met" : "NOT met")})");
    }
}
