using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace WbcNca.Cli;

/// <summary>
/// Turns a command line that does not parse into one line for people (no help dump): an unknown option with the
/// nearest known one, a value of the wrong type, a missing argument, option or command. The program exits with
/// <see cref="CliRunner.UsageError"/> for these.
/// </summary>
public static partial class UsageErrors
{
    /// <summary>The one-line problem with <paramref name="args"/>, or null when they parse.</summary>
    public static string? Describe(ParseResult parse, IReadOnlyList<string> args)
    {
        Command command = parse.CommandResult.Command;
        string path = CommandPath(parse.CommandResult);
        if (UnknownOption(parse, args) is string unknown)
            return $"unknown option '{unknown}'{Suggest(unknown, KnownOptions(parse))}; see '{path} --help'";
        if (parse.Errors.Count == 0) return null;
        string message = parse.Errors[0].Message;
        Match m;
        if ((m = CannotParse().Match(message)).Success)
        {
            string type = m.Groups[3].Value;
            string what = type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) ? "is not an integer"
                : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "is not a number"
                : "is not a valid value";
            return $"{m.Groups[2].Value}: '{m.Groups[1].Value}' {what}";
        }
        if (RequiredArgument().IsMatch(message))
        {
            string name = command.Arguments.FirstOrDefault()?.Name ?? "argument";
            return $"missing argument <{name}>; see '{path} --help'";
        }
        if ((m = RequiredOption().Match(message)).Success) return $"missing option {m.Groups[1].Value}; see '{path} --help'";
        if ((m = NotOneOf().Match(message)).Success)
        {
            string value = m.Groups[1].Value;
            var option = parse.Errors[0].SymbolResult is OptionResult o ? o.Option.Name : parse.Errors[0].SymbolResult is ArgumentResult a ? a.Argument.Name : "value";
            return $"{option}: '{value}' is not one of {m.Groups[2].Value.Trim().TrimEnd('.').Replace("\n", ", ", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal)}";
        }
        var unrecognised = parse.Errors.Select(e => Unrecognized().Match(e.Message)).FirstOrDefault(x => x.Success);
        if (unrecognised is not null)
        {
            string token = unrecognised.Groups[1].Value;
            if (command.Subcommands.Count > 0)
                return $"unknown command '{token}'{Suggest(token, command.Subcommands.Select(s => s.Name))}; see '{path} --help'";
            return $"unexpected argument '{token}'; see '{path} --help'";
        }
        if (message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            return $"missing command ({string.Join(", ", command.Subcommands.Select(s => s.Name))}); see '{path} --help'";
        return message.ReplaceLineEndings(" ");
    }

    // A token that looks like an option but is none of the command's (System.CommandLine would take it as an argument value).
    private static string? UnknownOption(ParseResult parse, IReadOnlyList<string> args)
    {
        var known = KnownOptions(parse).ToHashSet(StringComparer.Ordinal);
        foreach (string arg in args)
        {
            if (arg == "--") break;
            if (arg.Length < 2 || arg[0] != '-' || double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) continue;
            string name = arg.Split('=', ':')[0];
            if (!known.Contains(name)) return name;
        }
        return null;
    }

    private static IEnumerable<string> KnownOptions(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? r = parse.CommandResult; r is not null; r = r.Parent)
            if (r is CommandResult c)
                foreach (Option o in c.Command.Options)
                    if (ReferenceEquals(c, parse.CommandResult) || o.Recursive)
                    {
                        names.Add(o.Name);
                        names.AddRange(o.Aliases);
                    }
        names.AddRange(["--help", "-h", "-?", "/?", "/h", "--version"]);
        return names;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is CommandResult c) names.Add(c.Parent is null ? "wbc-nca" : c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>" (did you mean 'X'?)" for the nearest candidate within two edits (or sharing a long prefix), else empty.</summary>
    public static string Suggest(string given, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string c in candidates.Where(c => c.Length > 2))
        {
            int d = Distance(given, c);
            if (d < bestDistance) { bestDistance = d; best = c; }
        }
        return best is not null && bestDistance <= Math.Max(2, given.Length / 4) ? $" (did you mean '{best}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    [GeneratedRegex(@"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\.")]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Required argument missing for command")]
    private static partial Regex RequiredArgument();

    [GeneratedRegex(@"^Option '(.*)' is required\.")]
    private static partial Regex RequiredOption();

    [GeneratedRegex(@"^Argument '(.*)' not recognized\. Must be one of:(.*)$", RegexOptions.Singleline)]
    private static partial Regex NotOneOf();

    [GeneratedRegex(@"^Unrecognized command or argument '(.*)'\.")]
    private static partial Regex Unrecognized();
}
