using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.IO;
using WbcNca.Training;

namespace WbcNca.Runs;

/// <summary>
/// An experiment: the training run <paramref name="Base"/> once per seed (each in its own folder <c>seed-S</c>,
/// resumable, finished ones skipped), every best model evaluated on its held-out fold (<see cref="HeldOutFold"/>) and on
/// each other data set, tabulated as mean ± std (<c>experiment.md</c>, <c>experiment.json</c>) like the paper's Table 1.
/// For AE-CFE the other data sets' images (unlabelled) also train the autoencoder.
/// </summary>
/// <param name="Base">The training run (its output folder holds the seeds' folders and the tables).</param>
/// <param name="Seeds">Training seeds.</param>
/// <param name="MaskSeeds">Update-mask seeds used to evaluate each model.</param>
/// <param name="Others">Other data sets to evaluate on.</param>
public sealed record ExperimentRun(TrainingRun Base, IReadOnlyList<long> Seeds, IReadOnlyList<long> MaskSeeds, IReadOnlyList<ExperimentTarget> Others)
{
    /// <summary>Runs it; returns the table, or null when <paramref name="cancel"/> stopped a training.</summary>
    public ExperimentTable? Execute(TorchSharp.torch.Device device, IRunLog log, CancellationToken cancel)
    {
        TrainingRun baseRun = Base;
        // AE-CFE's autoencoder learns from every domain it will be evaluated on (unlabelled), as in the original method.
        if (baseRun.Spec.Arch == Model.ModelSpec.AeCfeArch)
            baseRun = baseRun with { AeDomains = [.. baseRun.AeDomains, .. Others.Select(e => $"{e.Kind}:{e.Path}").Where(d => !baseRun.AeDomains.Contains(d))] };
        var table = new ExperimentTable();
        Directory.CreateDirectory(baseRun.OutPath);
        foreach (long seed in Seeds)
        {
            var run = baseRun with { OutPath = Path.Combine(baseRun.OutPath, $"seed-{seed}"), Options = baseRun.Options with { Seed = seed } };
            var folder = new RunFolder(run.OutPath);
            if (!File.Exists(folder.TestJson))
            {
                log.Info($"seed {seed}: training in {run.OutPath}");
                var result = TrainingRun.Execute(run with { Resume = File.Exists(folder.Checkpoint) }, device, log, cancel);
                if (!result.Completed) return null;
            }
            ModelBundle best = ModelFile.Load(folder.BestModel, device);
            Dataset inDomain = DatasetReader.Open(run.DatasetKind, run.DataPath);
            var heldOut = HeldOutFold.Recorded(best.Provenance, folder.BestModel)
                ?? throw WbcNcaException.ForFile(folder.BestModel, "records no training split");
            var test = heldOut.TestItems(folder.BestModel, best.Provenance, inDomain, out _);
            table.Add($"{run.DatasetKind} (held-out fold {heldOut.Fold})", seed, Evaluate(best, inDomain, test, best.Normalization, run, device, log));
            foreach (ExperimentTarget other in Others)
            {
                Dataset set = DatasetReader.Open(other.Kind, other.Path);
                Imaging.Normalization n = other.Normalization is null ? best.Normalization : Imaging.Normalization.Parse(other.Normalization);
                table.Add($"{set.Name} ({n.Name})", seed, Evaluate(best, set, set.Items, n, run, device, log));
            }
            AtomicFile.WriteAllText(Path.Combine(baseRun.OutPath, "experiment.md"), table.ToMarkdown());
            AtomicFile.WriteAllText(Path.Combine(baseRun.OutPath, "experiment.json"), table.ToJson());
            best.Model.Dispose();
        }
        return table;
    }

    private EvaluationReport Evaluate(ModelBundle best, Dataset set, IReadOnlyList<LabeledImage> items, Imaging.Normalization norm, TrainingRun run, TorchSharp.torch.Device device, IRunLog log) =>
        new EvaluationRun(best, set, items, norm, MaskSeeds)
        {
            Device = device,
            Threads = run.LoaderThreads,
            SkipUnreadable = run.SkipBadImages,
            Engine = run.Engine,
        }.Execute(log).Report;
}
