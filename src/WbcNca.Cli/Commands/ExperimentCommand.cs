using System.Text.Json;
using System.CommandLine;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.Imaging;
using WbcNca.IO;
using WbcNca.Training;

namespace WbcNca.Cli.Commands;

/// <summary>
/// <c>wbc-nca experiment</c>: trains on one data set with several seeds (each in its own run folder, resumable), evaluates
/// every best model on the held-out fold and on each other data set given, and writes a mean ± std table
/// (<c>experiment.md</c>, <c>experiment.json</c>) like the paper's Table 1. Any <c>--arch</c>; for aecfe the other
/// data sets' images (unlabelled) also train the autoencoder.
/// </summary>
public static class ExperimentCommand
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
        var maskSeeds = CommonOptions.MaskSeeds();
        var command = new Command("experiment", "Train with several seeds and tabulate in-domain and cross-domain results (mean ± std)");
        o.AddTo(command);
        command.Options.Add(seeds);
        command.Options.Add(evals);
        command.Options.Add(maskSeeds);
        var onBad = CommonOptions.OnBadImage();
        command.Options.Add(onBad);
        command.SetAction(parse =>
        {
            // Every option is checked before libtorch starts and before any data set is scanned.
            bool skipBad = CommonOptions.SkipBadImages(parse, onBad);
            TrainRun baseRun = o.Read(parse) with { SkipBadImages = skipBad };
            long[] trainSeeds = EvaluateCommand.ParseSeeds(parse.GetValue(seeds)!, "--seeds");
            long[] masks = EvaluateCommand.ParseSeeds(parse.GetValue(maskSeeds)!, "--mask-seeds");
            var others = (parse.GetValue(evals) ?? []).Select(ParseEval).ToArray();
            var dev = CommonOptions.Setup(parse.GetValue(o.Device)!, parse.GetValue(o.Threads));
            Engines.NcaEngine engine = baseRun.EngineOn(dev);
            // AE-CFE's autoencoder learns from every domain it will be evaluated on (unlabelled), as in the original method.
            if (baseRun.Spec.Arch == Model.ModelSpec.AeCfeArch)
                baseRun = baseRun with { AeDomains = [.. baseRun.AeDomains, .. others.Select(e => $"{e.Kind}:{e.Path}").Where(d => !baseRun.AeDomains.Contains(d))] };
            var view = new TrainingView();
            var table = new ExperimentTable();
            Directory.CreateDirectory(baseRun.OutPath);
            foreach (long seed in trainSeeds)
            {
                var run = baseRun with { OutPath = Path.Combine(baseRun.OutPath, $"seed-{seed}"), Options = baseRun.Options with { Seed = seed } };
                var folder = new RunFolder(run.OutPath);
                if (!File.Exists(folder.TestJson))
                {
                    view.Info($"seed {seed}: training in {run.OutPath}");
                    var result = TrainRun.Execute(run with { Resume = File.Exists(folder.Checkpoint) }, dev, view, CancellationToken.None);
                    if (!result.Completed) return 130;
                }
                ModelBundle best = ModelFile.Load(folder.BestModel, dev);
                var (inDomain, inItems, inIndices) = HeldOut(run);
                table.Add($"{run.DatasetKind} (held-out fold {run.Options.Fold})", seed,
                    EvaluateCommand.Run(best, inDomain, inItems, inIndices, best.Normalization, masks, 64, dev, run.LoaderThreads, skipBad, engine, out _));
                foreach (var (kind, path, norm) in others)
                {
                    Dataset set = DatasetReader.Open(kind, path);
                    Normalization n = norm is null ? best.Normalization : Normalization.Parse(norm);
                    var report = EvaluateCommand.Run(best, set, set.Items, Enumerable.Range(0, set.Items.Count).ToArray(), n, masks, 64, dev, run.LoaderThreads, skipBad, engine, out _);
                    table.Add($"{set.Name} ({n.Name})", seed, report);
                }
                AtomicFile.WriteAllText(Path.Combine(baseRun.OutPath, "experiment.md"), table.ToMarkdown());
                AtomicFile.WriteAllText(Path.Combine(baseRun.OutPath, "experiment.json"), table.ToJson());
            }
            Console.Out.Write(table.ToMarkdown());
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The run's held-out fold: the images its config.json lists as <c>test_items</c> (so images skipped as unreadable in
    /// training, which shift the split, are handled), or the recomputed split for a run folder without that list.
    /// </summary>
    private static (Dataset Set, IReadOnlyList<LabeledImage> Items, IReadOnlyList<int> Test) HeldOut(TrainRun run)
    {
        Dataset set = DatasetReader.Open(run.DatasetKind, run.DataPath);
        var items = TrainRun.Subset(set.Items, run.LimitPerClass, run.Options.SplitSeed);
        string configFile = new RunFolder(run.OutPath).ConfigFile;
        if (File.Exists(configFile))
        {
            using var config = JsonDocument.Parse(File.ReadAllText(configFile));
            if (config.RootElement.TryGetProperty("test_items", out var listed))
            {
                var index = items.Select((item, i) => (item.RelativePath, i)).ToDictionary(p => p.RelativePath, p => p.i, StringComparer.Ordinal);
                var test = new List<int>();
                foreach (var entry in listed.EnumerateArray())
                {
                    string path = entry.GetString() ?? "";
                    if (!index.TryGetValue(path, out int i)) throw WbcNcaException.ForFile(configFile, $"lists test image '{path}', which the data set no longer has");
                    test.Add(i);
                }
                return (set, items, test);
            }
        }
        return (set, items, StratifiedKFold.Split(items, run.Options.Folds, run.Options.SplitSeed).TrainTest(run.Options.Fold).Test);
    }

    private static (string Kind, string Path, string? Normalization) ParseEval(string spec)
    {
        string[] parts = spec.Split(':');
        if (parts.Length is < 2 or > 3) throw new WbcNcaException($"--eval {spec}: expected KIND:PATH[:NORMALISATION]");
        _ = DatasetReader.ForKind(parts[0]);
        if (parts.Length == 3)
        {
            try { _ = Normalization.Parse(parts[2]); }
            catch (ArgumentException e) { throw new WbcNcaException($"--eval {spec}: {e.Message}"); }
        }
        return (parts[0], parts[1], parts.Length == 3 ? parts[2] : null);
    }
}
