using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace BlocklistService.Cli.Commands;

/// <summary>
/// <c>--help</c>: the standard help, followed by the verb's longer notes and examples. Keeping them out of the
/// description keeps the verb list of <c>blocklist --help</c> short.
/// </summary>
internal sealed class ExtendedHelpAction(HelpAction standard, IReadOnlyDictionary<Command, string> notes) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        var exitCode = standard.Invoke(parseResult);
        if (notes.TryGetValue(parseResult.CommandResult.Command, out var text))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(text.TrimEnd());
            output.WriteLine();
        }

        return exitCode;
    }
}
