using System.Text.Json;
using BlocklistService.Cli.Configuration;

namespace BlocklistService.Cli.Tests;

/// <summary>Runs the CLI in-process with captured output and a controlled environment (no process variables leak in).</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> RunAsync(string home, IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CliEnvironment(
            output,
            error,
            name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
            home,
            TimeProvider.System,
            IsInteractive: false);
        var exitCode = await BlocklistCli.RunAsync(args, environment, CancellationToken.None);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Output);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
