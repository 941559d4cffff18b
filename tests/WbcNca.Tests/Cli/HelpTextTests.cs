using System.CommandLine;
using System.CommandLine.Help;
using System.Text.RegularExpressions;
using WbcNca.Cli;

namespace WbcNca.Tests.Cli;

/// <summary>
/// The help of every command speaks one way: an option several commands share has one description, descriptions are
/// in sentence case without a final period, and a default is shown once, as a final "[default: …]".
/// </summary>
public class HelpTextTests
{
    // Options whose name several commands use with a meaning of their own there (what is written, what is seeded, …);
    // the other commands that have the option still share one description.
    private static readonly Dictionary<string, string[]> OwnMeaning = new()
    {
        ["--out"] = ["import-torch", "train", "experiment", "plot", "explain", "export-onnx", "stats", "adapt", "predict"],
        ["--slurm"] = ["predict"],
        ["--json"] = ["info", "predict", "evaluate"],
        ["--seed"] = ["train", "experiment", "adapt"],
        ["--samples"] = ["evaluate", "calibrate"],
        ["--views"] = ["calibrate"],
        ["--batch-size"] = ["train", "experiment", "serve"],
        ["--normalization"] = ["import-torch", "train", "experiment", "evaluate"],
        ["--data"] = ["train", "experiment", "adapt"],
        ["--steps"] = ["import-torch", "train", "experiment", "adapt"],
        ["--image-size"] = ["import-torch", "train", "experiment"],
        ["--preset"] = ["info"],
        ["--arch"] = ["info"],
        ["--fold"] = ["evaluate"],
        ["--folds"] = ["evaluate"],
        ["--split-seed"] = ["evaluate"],
        ["--limit-per-class"] = ["evaluate"],
        ["images"] = ["stats"],
    };

    // Where the meaning differs, the wording still starts the same way.
    private static readonly Dictionary<string, Regex> SharedForm = new()
    {
        ["--out"] = new(@"^[A-Z][\w -]* to write( \(.+\))?$"),
        ["--json"] = new(@"^Print one JSON object\b"),
        ["--seed"] = new(@"^Seed of the "),
        ["--samples"] = new(@"^Average "),
        ["--batch-size"] = new(@"^Images per "),
        ["--slurm"] = new(@"^Submit the .+ to Slurm"),
    };

    private static readonly RootCommand Root = WbcNcaRoot.Create();

    private static IEnumerable<(string Command, string Name, string Description, bool HasDefault)> Symbols() =>
        Root.Subcommands.SelectMany(c =>
            c.Options.Where(o => o is not HelpOption and not VersionOption).Select(o => (c.Name, o.Name, o.Description ?? "", o.HasDefaultValue))
                .Concat(c.Arguments.Select(a => (c.Name, a.Name, a.Description ?? "", a.HasDefaultValue))));

    [Fact]
    public void An_option_that_several_commands_share_has_one_description()
    {
        var problems = new List<string>();
        foreach (var group in Symbols().GroupBy(s => s.Name))
        {
            string[] own = OwnMeaning.GetValueOrDefault(group.Key, []);
            var shared = group.Where(s => !own.Contains(s.Command)).ToList();
            if (shared.Select(s => s.Description).Distinct().Count() > 1)
                problems.Add($"{group.Key}: " + string.Join(" | ", shared.Select(s => $"{s.Command}: \"{s.Description}\"")));
            if (SharedForm.TryGetValue(group.Key, out Regex? form))
                problems.AddRange(group.Where(s => !form.IsMatch(s.Description)).Select(s => $"{group.Key} of {s.Command} does not read like the others: \"{s.Description}\""));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void The_exceptions_name_options_that_exist_in_those_commands()
    {
        // A stale exception would let a new difference pass unnoticed.
        var present = Symbols().Select(s => (s.Command, s.Name)).ToHashSet();
        foreach (var (name, commands) in OwnMeaning)
            foreach (string command in commands)
                Assert.True(present.Contains((command, name)), $"{command} has no {name}");
    }

    [Fact]
    public void Every_description_is_in_sentence_case_without_a_final_period_and_shows_its_default_once_at_the_end()
    {
        var problems = new List<string>();
        foreach (var (command, name, description, hasDefault) in Symbols())
        {
            string where = $"{command} {name}: \"{description}\"";
            if (description.Length == 0) { problems.Add($"{where} has no description"); continue; }
            if (!char.IsUpper(description[0])) problems.Add($"{where} does not start with a capital letter");
            if (description.EndsWith('.')) problems.Add($"{where} ends with a period");
            string rest = Regex.Replace(description, @" \[default: [^\]]+\]$", "");
            if (rest.Contains("default", StringComparison.OrdinalIgnoreCase)) problems.Add($"{where} mentions a default other than as a final [default: …]");
            if (hasDefault && rest != description) problems.Add($"{where} writes a default that the help already shows");
        }
        foreach (Command c in Root.Subcommands)
        {
            string d = c.Description ?? "";
            if (d.Length == 0 || !char.IsUpper(d[0]) || d.EndsWith('.')) problems.Add($"command {c.Name}: \"{d}\"");
        }
        if (Root.Description!.EndsWith('.')) problems.Add($"wbc-nca: \"{Root.Description}\" ends with a period");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
