using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using WbcNca.Data;
using WbcNca.Model;
using WbcNca.Runs;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca experiment</c>: plans the grid of an <see cref="ExperimentRun"/> (training sets × variants ×
/// architectures × test folds × seeds) into its folder and runs it here, one entry after the other, or submits it to
/// Slurm (<c>--slurm</c>) as an array job and a job that collects the table.
/// </summary>
public static partial class ExperimentCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var o = new TrainCliOptions();
        var seeds = new Option<string>("--seeds") { Description = "Training seeds: comma-separated or a range", DefaultValueFactory = _ => "1..5" };
        var evals = new Option<string[]>("--eval")
        {
            Description = "Another set to evaluate on, as KIND:PATH[:NORMALISATION] (e.g. folder:../shared/data/jtsc:image); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var trainOn = new Option<string[]>("--train-on")
        {
            Description = "A training set of the grid, as KIND:PATH, instead of --dataset/--data; repeatable (each set's models are rows of the table)",
            AllowMultipleArgumentsPerToken = false,
        };
        var testFolds = new Option<string?>("--test-folds") { Description = "Test folds of the grid, comma-separated or a range (e.g. 0..4): each seed trains once per fold [default: --fold]" };
        var archs = new Option<string?>("--archs")
        {
            Description = $"Architectures of the grid, comma-separated (of {string.Join(", ", ModelSpec.ArchNames)}); --channels/--hidden/--steps apply to nca [default: --arch]",
        };
        var variants = new Option<string[]>("--variant")
        {
            Description = "A variant of the grid as NAME:OPTIONS, training options added to the shared ones for its entries (e.g. 'stain:--stain-augment --normalization image'); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var slurm = new Option<bool>("--slurm") { Description = "Submit the grid to Slurm, one array task per entry, and a job that collects the table after them, instead of running it here" };
        var maskSeeds = CommonOptions.MaskSeeds();
        var onBad = CommonOptions.OnBadImage();
        var jobs = new SlurmCliOptions();
        var command = new Command("experiment", "Train a grid of models (sets × variants × architectures × folds × seeds) and tabulate in-domain and cross-domain results (mean ± std), here or on Slurm");
        o.AddTo(command);
        foreach (Option option in new Option[] { seeds, evals, maskSeeds, onBad, trainOn, testFolds, archs, variants, slurm }) command.Options.Add(option);
        jobs.AddTo(command);
        command.SetAction(parse =>
        {
            // Every option is checked before libtorch starts, before any data set is scanned and before anything is written.
            bool onSlurm = parse.GetValue(slurm);
            SlurmOptions? slurmOptions = jobs.Read(parse, onSlurm, "--slurm");
            bool dryRun = parse.GetValue(jobs.DryRun), wait = parse.GetValue(jobs.Wait);
            if (onSlurm && !dryRun && !Sbatch.IsInstalled)
                throw new WbcNcaException("--slurm: Slurm's sbatch is not on the PATH (run this on the cluster's login node; --dry-run writes the job scripts without it)");
            long[] trainSeeds = CommonOptions.ParseSeeds(parse.GetValue(seeds)!, "--seeds");
            long[] masks = CommonOptions.ParseSeeds(parse.GetValue(maskSeeds)!, "--mask-seeds");
            var others = (parse.GetValue(evals) ?? []).Select(ExperimentTarget.Parse).ToArray();
            int[] folds = ReadFolds(parse, o, testFolds);
            string?[] archList = ReadArchs(parse, o, archs);
            var sets = ReadSets(parse, o, trainOn);
            var variantList = ReadVariants(parse, o, command, variants);
            bool skipBad = CommonOptions.SkipBadImages(parse, onBad);
            var models = new List<GridModel>();
            foreach (var (label, data) in sets)
                foreach (var (name, p) in variantList)
                    foreach (string? arch in archList)
                    {
                        try { models.Add(new GridModel(label, name, o.Read(p, arch, data) with { SkipBadImages = skipBad })); }
                        catch (WbcNcaException e) when (arch is not null && !e.Message.StartsWith("--variant", StringComparison.Ordinal))
                        {
                            throw new WbcNcaException($"--archs {arch}: {e.Message}");
                        }
                    }
            string device = parse.GetValue(o.Device)!;
            string d = device.Trim().ToLowerInvariant();
            if (d != "cpu" && d != "cuda" && !d.StartsWith("cuda:", StringComparison.Ordinal))
                throw new WbcNcaException($"--device {device}: unknown device (expected one of: {string.Join(", ", Runtime.TorchRuntime.DeviceNames)}, cuda:N)");
            if (onSlurm && device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && slurmOptions!.Gres is null)
                CliRunner.WriteWarning(Console.Error, "--device cuda without --gres: the tasks may run on nodes without a GPU (e.g. --gres gpu:1)");
            // The sets are scanned (not decoded) now, so that a wrong path or layout stops here and not in every task.
            foreach (var (kind, path) in sets.Select(s => s.Data).Concat(others.Select(t => (t.Kind, t.Path))).Distinct())
                _ = DatasetReader.Open(kind, path);

            string outPath = parse.GetValue(o.Out)!;
            var planned = ExperimentGrid.Plan(outPath, models, folds, trainSeeds, masks, others, device);
            var (grid, requested) = planned.JoinedWith(ExperimentGrid.TryLoad(outPath));
            grid.Save();
            var run = new ExperimentRun(grid);
            if (!onSlurm)
            {
                var dev = CommonOptions.Setup(device, parse.GetValue(o.Threads));
                var table = run.Execute(dev, new ConsoleRunLog(), CancellationToken.None, parse.GetValue(o.Threads) ?? Environment.ProcessorCount, requested);
                if (table is null) return 130;
                Console.Out.Write(table.ToMarkdown());
                return 0;
            }
            var pending = requested.Where(e => ExperimentGrid.StateOf(e) != GridEntryState.Done).ToList();
            Console.Error.WriteLine($"planned {requested.Count} entries in {grid.PlanFile}; {requested.Count - pending.Count} done, {pending.Count} to run");
            if (pending.Count == 0)
            {
                Console.Out.Write(run.Collect().ToMarkdown());
                return 0;
            }
            var (program, environment) = JobProgram.Current();
            var (tasks, collector) = grid.SlurmJobs(pending, slurmOptions!, program, environment);
            var submitted = SlurmSubmission.Run(tasks, collector, dryRun, $"{pending.Count} entries");
            if (submitted is null || !wait) return 0;
            SlurmSubmission.Wait(submitted.Value);
            var result = run.Collect();
            Console.Out.Write(result.ToMarkdown());
            int missing = requested.Count(e => ExperimentGrid.StateOf(e) != GridEntryState.Done);
            if (missing > 0) throw WbcNcaException.ForFile(grid.TableMarkdown, $"{missing} of {requested.Count} entries have no result (their rows say why and name their logs)");
            return 0;
        });
        return command;
    }

    // --test-folds, or --fold.
    private static int[] ReadFolds(ParseResult parse, TrainCliOptions o, Option<string?> testFolds)
    {
        if (parse.GetValue(testFolds) is not string text) return [parse.GetValue(o.Fold)];
        if (parse.GetResult(o.Fold) is { Implicit: false }) throw new WbcNcaException("--fold and --test-folds: give one of them");
        int k = parse.GetValue(o.Folds);
        var folds = CommonOptions.ParseSeeds(text, "--test-folds").Distinct().ToArray();
        foreach (long f in folds)
            if (f < 0 || f >= k) throw new WbcNcaException($"--test-folds: fold {f} is not in 0..{k - 1} (--folds {k})");
        return folds.Select(f => (int)f).ToArray();
    }

    // --archs, or null (--arch) for one model per set and variant.
    private static string?[] ReadArchs(ParseResult parse, TrainCliOptions o, Option<string?> archs)
    {
        if (parse.GetValue(archs) is not string text) return [null];
        if (parse.GetResult(o.Arch) is { Implicit: false }) throw new WbcNcaException("--arch and --archs: give one of them");
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        if (names.Length == 0) throw new WbcNcaException("--archs: expected comma-separated architectures");
        foreach (string name in names)
            if (!ModelSpec.ArchNames.Contains(name)) throw new WbcNcaException($"--archs: '{name}' is not one of {string.Join(", ", ModelSpec.ArchNames)}");
        return names;
    }

    // --train-on KIND:PATH (each with a short name for folders and the table), or --dataset/--data.
    private static List<(string Label, (string Kind, string Path) Data)> ReadSets(ParseResult parse, TrainCliOptions o, Option<string[]> trainOn)
    {
        string[] given = parse.GetValue(trainOn) ?? [];
        if (given.Length == 0)
        {
            if (parse.GetValue(o.Data) is not string data)
                throw new UsageException("missing option --data (or --train-on KIND:PATH); see 'wbc-nca experiment --help'");
            string kind = parse.GetValue(o.Dataset)!;
            _ = DatasetReader.ForKind(kind);
            return [(Label(kind, data), (kind, data))];
        }
        if (parse.GetResult(o.Data) is { Implicit: false } || parse.GetResult(o.Dataset) is { Implicit: false })
            throw new WbcNcaException("--train-on and --dataset/--data: give the training sets one way");
        var sets = given.Select(spec => TrainingRun.ParseDomain(spec, "--train-on")).Select(d => (Label(d.Kind, d.Path), d)).ToList();
        foreach (var same in sets.GroupBy(s => s.Item1).Where(g => g.Count() > 1))
            throw new WbcNcaException($"--train-on: {same.Count()} training sets would be called '{same.Key}' (a set's name is its kind, or a folder set's folder name); give each its own folder name");
        return sets;
    }

    // A training set's short name: its kind, or for a folder set the folder's name.
    private static string Label(string kind, string path)
    {
        string name = kind.Trim().ToLowerInvariant() == "folder" ? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))) : kind.Trim().ToLowerInvariant();
        name = Unsafe().Replace(name, "_");
        return name.Length == 0 ? "data" : name;
    }

    // --variant NAME:OPTIONS, each as the command line with its options added (or the command line alone, named "").
    private static List<(string Name, ParseResult Parse)> ReadVariants(ParseResult parse, TrainCliOptions o, Command command, Option<string[]> variants)
    {
        string[] given = parse.GetValue(variants) ?? [];
        if (given.Length == 0) return [("", parse)];
        // The command line's own tokens, without the command's name.
        var tokens = parse.Tokens.ToList();
        int own = tokens.FindIndex(t => t.Type == TokenType.Command && t.Value == command.Name);
        string[] shared = tokens.Skip(own + 1).Select(t => t.Value).ToArray();
        var forbidden = new HashSet<string>(["--dataset", "--data", "--out", "--seed", "--fold", "--resume", "--device", "--threads", "--arch"]);
        var result = new List<(string, ParseResult)>();
        foreach (string spec in given)
        {
            int colon = spec.IndexOf(':');
            string name = colon > 0 ? spec[..colon] : "";
            if (!VariantName().IsMatch(name)) throw new WbcNcaException($"--variant {spec}: expected NAME:OPTIONS with a NAME of letters, digits, '.', '_' or '-'");
            if (result.Any(r => r.Item1 == name)) throw new WbcNcaException($"--variant {name}: given twice");
            string[] words = CommandLineParser.SplitCommandLine(spec[(colon + 1)..]).ToArray();
            // The variant's options alone: they must be training options, none an axis of the grid, none given for every entry too.
            var probeOptions = new TrainCliOptions();
            var probe = new Command("variant");
            probeOptions.AddTo(probe);
            probeOptions.Out.Required = false;
            ParseResult alone = probe.Parse(words);
            if (UsageErrors.Describe(alone, words) is string problem)
                throw new WbcNcaException($"--variant {name}: {problem.Split("; see", 2)[0]} (a variant takes training options)");
            foreach (Option option in probeOptions.All.Where(x => alone.GetResult(x) is { Implicit: false }))
            {
                if (forbidden.Contains(option.Name)) throw new WbcNcaException($"--variant {name}: {option.Name} is an axis of the grid or the same for every entry; give it outside the variants");
                if (o.All.First(x => x.Name == option.Name) is var same && parse.GetResult(same) is { Implicit: false })
                    throw new WbcNcaException($"--variant {name}: {option.Name} is also given for every entry; give it in each variant instead");
            }
            result.Add((name, command.Parse([.. shared, .. words])));
        }
        return result;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]+$")]
    private static partial Regex VariantName();

    [GeneratedRegex(@"[^A-Za-z0-9._-]")]
    private static partial Regex Unsafe();
}
