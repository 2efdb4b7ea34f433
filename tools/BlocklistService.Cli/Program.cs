using BlocklistService.Cli;
using BlocklistService.Cli.Configuration;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await BlocklistCli.RunAsync(args, CliEnvironment.FromProcess(), cancel.Token);
