using System.CommandLine;
using Spectre.Console;

namespace WbcNca.Cli;

/// <summary>Runs the command line: user errors become one red line on stderr and exit code 1.</summary>
public static class CliRunner
{
    /// <summary>Exit code for bad input (image, dataset, checkpoint, option value).</summary>
    public const int InputError = 1;

    /// <summary>Exit code for a command line that does not parse (unknown option or command, missing argument, a value of the wrong type).</summary>
    public const int UsageError = 2;

    /// <summary>
    /// Parses and invokes; returns the process exit code. Without <paramref name="stderr"/> (the real program) standard
    /// output is wrapped in <see cref="GuardedOutput"/>, so that a failed write ends the run with a one-line error.
    /// </summary>
    public static int Run(RootCommand root, string[] args, TextWriter? stderr = null)
    {
        if (stderr is null && Console.Out is not GuardedOutput) Console.SetOut(new GuardedOutput(Console.Out));
        stderr ??= Console.Error;
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false, Error = stderr };
        try
        {
            ParseResult parse = root.Parse(args);
            bool help = args.Any(a => a is "--help" or "-h" or "-?");
            if (!help && UsageErrors.Describe(parse, args) is string usage)
            {
                WriteError(stderr, usage);
                return UsageError;
            }
            return parse.Invoke(config);
        }
        catch (UsageException e)
        {
            WriteError(stderr, e.Message);
            return UsageError;
        }
        catch (WbcNcaException e)
        {
            WriteError(stderr, e.Message);
            return InputError;
        }
    }

    /// <summary>Writes "warning: message" as a single line: something was left out, the run goes on and can succeed.</summary>
    public static void WriteWarning(TextWriter stderr, string message)
    {
        if (ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected)
            AnsiConsole.Console.Profile.Out.Writer.Flush();
        stderr.WriteLine($"warning: {message.ReplaceLineEndings(" ")}");
    }

    /// <summary>Writes "error: message" as a single line.</summary>
    public static void WriteError(TextWriter stderr, string message)
    {
        string line = message.ReplaceLineEndings(" ");
        if (ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected)
            AnsiConsole.Console.Profile.Out.Writer.Flush();
        stderr.WriteLine($"error: {line}");
    }
}
