using WbcNca.Runtime;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.IO;
using WbcNca.Model;
using WbcNca.Training;

namespace WbcNca.Cli.Commands;

/// <summary><c>wbc-nca train --data DIR --out RUN</c>: trains an NCA classifier on one fold of a stratified k-fold split.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var o = new TrainCliOptions();
        var command = new Command("train", "Train an NCA classifier (stratified k-fold, validation-selected best epoch, resumable)");
        o.AddTo(command);
        command.SetAction(parse =>
        {
            var dev = CommonOptions.Setup(parse.GetValue(o.Device)!, parse.GetValue(o.Threads));
            var run = o.Read(parse);
            var view = new TrainingView();
            using var cts = new CancellationTokenSource();
            ConsoleCancelEventHandler handler = (_, e) => { e.Cancel = true; cts.Cancel(); view.Info("stopping after this batch (the last completed epoch is kept; --resume continues)…"); };
            Console.CancelKeyPress += handler;
            try
            {
                var outcome = TrainRun.Execute(run, dev, view, cts.Token);
                return outcome.Completed ? 0 : 130;
            }
            finally
            {
                Console.CancelKeyPress -= handler;
            }
        });
        return command;
    }
}

/// <summary>A training run as the CLI describes it: data, model, options, output.</summary>
/// <param name="DatasetKind">Reader kind.</param>
/// <param name="DataPath">Data folder (as given).</param>
/// <param name="Config">Model configuration (classes set from the data).</param>
/// <param name="Options">Training options.</param>
/// <param name="OutPath">Run folder.</param>
/// <param name="Resume">Continue from the run folder's checkpoint.</param>
/// <param name="LimitPerClass">Use at most this many images per class (0 = all), chosen by the split seed.</param>
/// <param name="LoaderThreads">Threads decoding images.</param>
public sealed record TrainRun(string DatasetKind, string DataPath, NcaConfig Config, TrainOptions Options, string OutPath, bool Resume, int LimitPerClass, int LoaderThreads)
{
    /// <summary>The backbone engine (fused C# kernels on the CPU, libtorch on any other device).</summary>
    public Engines.NcaEngine Engine { get; init; } = Engines.NcaEngine.Fused;

    /// <summary>Reads the data, splits it, trains, and evaluates the best model on the test fold (test.json).</summary>
    public static TrainingResult Execute(TrainRun run, TorchSharp.torch.Device device, TrainingView view, CancellationToken cancel)
    {
        Dataset dataset = DatasetReader.Open(run.DatasetKind, run.DataPath);
        IReadOnlyList<LabeledImage> items = Subset(dataset.Items, run.LimitPerClass, run.Options.SplitSeed);
        var classes = CellClasses.Names(dataset.Level);
        NcaConfig config = run.Config with { NumClasses = classes.Count };
        view.Info($"{dataset.Name}: {items.Count} images ({CellClasses.LevelName(dataset.Level)} level, {items.Select(i => i.Label).Distinct().Count()} classes present); splitting into {run.Options.Folds} folds…");
        var folds = StratifiedKFold.Split(items, run.Options.Folds, run.Options.SplitSeed);
        var split = folds.TrainValidationTest(run.Options.Fold, run.Options.ValidationFraction, run.Options.SplitSeed);
        var folder = new RunFolder(run.OutPath);
        if (!run.Resume && File.Exists(folder.Checkpoint))
            throw WbcNcaException.ForFile(folder.Checkpoint, "the run folder already holds a run; pass --resume to continue it or choose another --out");
        var clock = Stopwatch.StartNew();
        var cache = ImageCache.Load(items, config.ImageSize, run.LoaderThreads);
        view.Info(string.Create(CultureInfo.InvariantCulture, $"decoded {cache.Count} images at {config.ImageSize}×{config.ImageSize} in {clock.Elapsed.TotalSeconds:0.0}s; train {split.Train.Count}, validation {split.Validation.Count}, test {split.Test.Count}"));
        using (var model = new NcaClassifier(config))
            view.Info($"model: {config.ToJson()} ({model.ParameterCount:N0} parameters); seed {run.Options.Seed}, fold {run.Options.Fold}/{run.Options.Folds}");
        var description = new Dictionary<string, object>
        {
            ["dataset"] = run.DatasetKind,
            ["data"] = run.DataPath,
            ["level"] = CellClasses.LevelName(dataset.Level),
            ["images"] = items.Count,
            ["limit_per_class"] = run.LimitPerClass,
            ["train"] = split.Train.Count,
            ["validation"] = split.Validation.Count,
            ["test"] = split.Test.Count,
            ["seed"] = run.Options.Seed,
            ["config"] = JsonDocument.Parse(config.ToJson()).RootElement,
            ["options"] = JsonDocument.Parse(run.Options.ToJson()).RootElement,
            ["test_items"] = split.Test.Select(i => items[i].RelativePath).ToArray(),
        };
        AtomicFile.WriteAllText(folder.ConfigFile, JsonSerializer.Serialize(description, new JsonSerializerOptions { WriteIndented = true }));
        var provenance = new Dictionary<string, string>
        {
            ["dataset"] = run.DatasetKind,
            ["fold"] = $"{run.Options.Fold}/{run.Options.Folds}",
            ["split_seed"] = run.Options.SplitSeed.ToString(CultureInfo.InvariantCulture),
        };
        var trainer = new Trainer(config, run.Options, cache, split.Train, split.Validation, folder, classes, provenance, device)
        {
            Engine = Engines.NcaEngines.For(device, preferTorch: run.Engine == Engines.NcaEngine.Torch),
        };
        TrainingResult result = trainer.Run(run.Resume, view.Batch, view.Epoch, cancel);
        if (!result.Completed)
        {
            view.Info($"stopped after epoch {result.State.Epoch}; continue with --resume --out {run.OutPath}");
            return result;
        }
        view.Info(string.Create(CultureInfo.InvariantCulture, $"done: {result.State.Epoch} epochs in {result.State.Seconds:0}s; best epoch {result.State.BestEpoch} (validation balanced accuracy {result.State.BestScore:0.0000})"));
        ModelBundle best = ModelFile.Load(folder.BestModel, device);
        var report = Evaluator.Evaluate(best, cache, split.Test, best.Normalization, maskSeeds: [0], batchSize: 64, device: device, coarse: dataset.Level == LabelLevel.Coarse);
        AtomicFile.WriteAllText(folder.TestJson, report.ToJson());
        view.Info(string.Create(CultureInfo.InvariantCulture, $"test fold ({split.Test.Count} images): accuracy {report.Fine.Accuracy:0.0000}, balanced accuracy {report.Fine.BalancedAccuracy:0.0000}, macro-F1 {report.Fine.MacroF1:0.0000}"));
        best.Classifier.Dispose();
        return result;
    }

    /// <summary>At most <paramref name="perClass"/> items of each class (all when 0), chosen by a seeded shuffle of the sorted items.</summary>
    public static IReadOnlyList<LabeledImage> Subset(IReadOnlyList<LabeledImage> items, int perClass, long seed)
    {
        if (perClass <= 0) return items;
        var result = new List<LabeledImage>();
        foreach (var group in items.GroupBy(i => i.Label).OrderBy(g => g.Key))
        {
            var list = group.OrderBy(i => i.RelativePath, StringComparer.Ordinal).ToList();
            new SplitMix64(seed).Shuffle(list);
            result.AddRange(list.Take(perClass));
        }
        return result.OrderBy(i => i.RelativePath, StringComparer.Ordinal).ToArray();
    }
}
