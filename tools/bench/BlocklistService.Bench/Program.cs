using System.Globalization;
using System.Reflection;
using BlocklistService.Bench;

// Usage: tools/bench/run [--scale F] [name ...]   (no names: list the benchmarks)
if (args is [SoakIspFleet.ChildArgument, var spec])
{
    // the soak suite's simulated ISPs, in a process of their own (started by the suite, not by hand)
    return await SoakIspFleet.RunChildAsync(spec);
}

var scale = 1.0;
var names = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--scale" && i + 1 < args.Length)
    {
        scale = double.Parse(args[++i], CultureInfo.InvariantCulture);
    }
    else
    {
        names.Add(args[i]);
    }
}

var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(IBenchmark).IsAssignableFrom(type))
    .Select(type => (IBenchmark)Activator.CreateInstance(type)!)
    .OrderBy(benchmark => benchmark.Name, StringComparer.Ordinal)
    .ToList();

if (names.Count == 0)
{
    Console.WriteLine("usage: tools/bench/run [--scale F] <name>... | all");
    foreach (var benchmark in benchmarks)
    {
        Console.WriteLine($"  {benchmark.Name,-24} {benchmark.Description}");
    }

    return 0;
}

var selected = names.Contains("all") ? benchmarks : benchmarks.Where(b => names.Contains(b.Name)).ToList();
var unknown = names.Where(n => n != "all" && benchmarks.All(b => b.Name != n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown benchmark(s): {string.Join(", ", unknown)}; run without arguments to list them");
    return 2;
}

var root = FindRoot();
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
foreach (var benchmark in selected)
{
    Console.WriteLine($"== {benchmark.Name}: {benchmark.Description}");
    await benchmark.RunAsync(new BenchmarkContext(Console.Out, scale, root), cancel.Token);
}

return 0;

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "BlocklistService.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
