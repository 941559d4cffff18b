using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using WbcNca.Checkpoints;
using WbcNca.Data;
using WbcNca.Evaluation;
using WbcNca.IO;
using WbcNca.Model;
using WbcNca.Training;

namespace WbcNca.Runs;

/// <summary>
/// A training run: reads the data, splits it (<see cref="HeldOutFold"/>), writes the run folder's config.json, trains
/// (resumable), calibrates the best model on the validation part and evaluates it on the held-out fold (test.json).
/// The CLI's <c>train</c> and <c>experiment</c> and the tests run it.
/// </summary>
/// <param name="DatasetKind">Reader kind.</param>
/// <param name="DataPath">Data folder (as given).</param>
/// <param name="Spec">Architecture and configuration (classes set from the data).</param>
/// <param name="Options">Training options.</param>
/// <param name="OutPath">Run folder.</param>
/// <param name="Resume">Continue from the run folder's checkpoint.</param>
/// <param name="LimitPerClass">Use at most this many images per class (0 = all), chosen by the split seed.</param>
/// <param name="LoaderThreads">Threads decoding images.</param>
/// <param name="SkipBadImages">Leave images that cannot be decoded out (each reported) instead of stopping.</param>
public sealed record TrainingRun(string DatasetKind, string DataPath, ModelSpec Spec, TrainOptions Options, string OutPath, bool Resume, int LimitPerClass, int LoaderThreads,
    bool SkipBadImages = false)
{
    /// <summary>aecfe: other domains whose images (labels unused) the autoencoder also learns from, as KIND:PATH.</summary>
    public IReadOnlyList<string> AeDomains { get; init; } = [];

    /// <summary>The backbone engine (fused C# kernels on the CPU, libtorch on any other device).</summary>
    public Engines.NcaEngine Engine { get; init; } = Engines.NcaEngine.Fused;

    /// <summary>The engine this run uses on <paramref name="device"/> (<see cref="Engine"/> as <see cref="Engines.NcaEngines.Resolve"/> decides).</summary>
    public Engines.NcaEngine EngineOn(TorchSharp.torch.Device device) => Engines.NcaEngines.Resolve(Engine, device);

    /// <summary>Refuses a new run (not <see cref="Resume"/>) into a folder that already holds one; cheap, so callers may check before any work.</summary>
    /// <exception cref="WbcNcaException">The folder's checkpoint exists.</exception>
    public void RefuseToOverwrite()
    {
        string checkpoint = RunFolder.CheckpointIn(OutPath);
        if (!Resume && File.Exists(checkpoint))
            throw WbcNcaException.ForFile(checkpoint, "the run folder already holds a run; pass --resume to continue it or choose another --out");
    }

    /// <summary>Reads the data, splits it, trains, and evaluates the best model on the test fold (test.json).</summary>
    public static TrainingResult Execute(TrainingRun run, TorchSharp.torch.Device device, IRunLog view, CancellationToken cancel)
    {
        Dataset dataset = DatasetReader.Open(run.DatasetKind, run.DataPath);
        Engines.NcaEngine engine = run.EngineOn(device);
        foreach (string line in dataset.Summary().TrimEnd().Split('\n')) view.Info(line.TrimEnd());
        var heldOut = new HeldOutFold(run.Options.Fold, run.Options.Folds, run.Options.SplitSeed, run.LimitPerClass);
        IReadOnlyList<LabeledImage> items = heldOut.Candidates(dataset);
        var classes = CellClasses.Names(dataset.Level);
        ModelSpec spec = run.Spec.WithClasses(classes.Count);
        var folder = new RunFolder(run.OutPath);
        run.RefuseToOverwrite();
        if (run.Resume && AtomicFile.RemoveLeftovers(folder.Path) is > 0 and int leftovers)
            view.Info($"removed {leftovers} temporary file(s) of writes that an earlier run could not finish");
        var clock = Stopwatch.StartNew();
        Imaging.Preprocessing input = run.Options.InputPreprocessing;
        var cache = ImageCache.Load(items, spec.ImageSize, run.LoaderThreads, skipUnreadable: run.SkipBadImages, preprocessing: input);
        foreach (var rejected in cache.Rejected) view.Warning($"skipped {rejected.Message}");
        IReadOnlyList<LabeledImage> candidates = items;
        items = cache.Items;
        view.Info(string.Create(CultureInfo.InvariantCulture, $"decoded {cache.Count} images at {spec.ImageSize}×{spec.ImageSize} in {clock.Elapsed.TotalSeconds:0.0}s ({input}){(cache.Rejected.Count > 0 ? $", {cache.Rejected.Count} unreadable image(s) skipped" : "")}"));
        if (input.NeedsLocator) view.Info($"cell located in {cache.Count - cache.CellsNotFound} of {cache.Count} images{(cache.CellsNotFound > 0 ? " (the others are used whole)" : "")}");
        view.Info($"using {items.Count} images ({CellClasses.LevelName(dataset.Level)} level, {items.Select(i => i.Label).Distinct().Count()} classes present); splitting into {run.Options.Folds} folds…");
        var folds = heldOut.Split(dataset, items);
        var split = folds.TrainValidationTest(run.Options.Fold, run.Options.ValidationFraction, run.Options.SplitSeed);
        view.Info($"train {split.Train.Count}, validation {split.Validation.Count}, test {split.Test.Count}");
        if (split.Train.Count == 0 || split.Test.Count == 0)
            throw WbcNcaException.ForFile(run.DataPath, $"{items.Count} usable image(s) leave the {(split.Train.Count == 0 ? "training" : "test")} part of fold {run.Options.Fold} of {run.Options.Folds} empty; add images or use fewer --folds");
        if (split.Validation.Count == 0)
            view.Warning("the validation part is empty, so every epoch scores 0 and best.safetensors stays the first epoch's; raise --validation-fraction or use last.safetensors");
        foreach (string line in SplitCoverage.Duplicates(folds, items, classes)) view.Info(line);
        foreach (string line in SplitCoverage.MissingClasses(cache.Labels, classes, [("training", split.Train), ("validation", split.Validation), ("test", split.Test)]))
            view.Warning(line);
        using (var model = spec.Build())
            view.Info(string.Create(CultureInfo.InvariantCulture, $"model: {spec.Arch} {spec.ConfigJson()} ({model.ParameterCount:N0} parameters, {model.MultiplyAccumulates():N0} multiply-accumulates per image); seed {run.Options.Seed}, fold {run.Options.Fold}/{run.Options.Folds}"));
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
            ["arch"] = spec.Arch,
            ["config"] = JsonDocument.Parse(spec.ConfigJson()).RootElement,
            ["options"] = JsonDocument.Parse(run.Options.ToJson()).RootElement,
            ["test_items"] = split.Test.Select(i => items[i].RelativePath).ToArray(),
            ["skipped_entries"] = dataset.Skipped.Count,
            ["unreadable_images"] = cache.Rejected.Select(e => e.Path).ToArray(),
        };
        AtomicFile.WriteAllText(folder.ConfigFile, JsonSerializer.Serialize(description, new JsonSerializerOptions { WriteIndented = true }));
        var provenance = new Dictionary<string, string>(heldOut.Provenance(split.Test.Select(i => items[i]), Unreadable(candidates, cache.Rejected)))
        {
            ["dataset"] = run.DatasetKind,
        };
        TrainingResult result;
        if (spec.Arch == ModelSpec.AeCfeArch)
        {
            ImageCache autoencoderImages = AutoencoderImages(cache, split.Train, run.AeDomains, run.LoaderThreads, view);
            description["autoencoder_images"] = autoencoderImages.Count;
            description["ae_domains"] = run.AeDomains.ToArray();
            AtomicFile.WriteAllText(folder.ConfigFile, JsonSerializer.Serialize(description, new JsonSerializerOptions { WriteIndented = true }));
            result = new AeCfeTrainer(spec, run.Options, cache, split.Train, split.Validation, autoencoderImages, folder, classes, provenance, device, run.LoaderThreads)
                .Run(run.Resume, view.Batch, view.Epoch, cancel);
        }
        else
        {
            ImageCache? trainingImages = null;
            int factor = Trainer.SupersampleFactor(run.Options.Augment);
            if (factor > 1)
            {
                clock.Restart();
                trainingImages = ImageCache.Load(items, factor * spec.ImageSize, run.LoaderThreads, preprocessing: input);
                view.Info(string.Create(CultureInfo.InvariantCulture, $"decoded the training copy at {trainingImages.Size}×{trainingImages.Size} for zoom augmentation in {clock.Elapsed.TotalSeconds:0.0}s"));
            }
            var trainer = new Trainer(spec, run.Options, cache, split.Train, split.Validation, folder, classes, provenance, device, trainingImages)
            {
                Engine = engine,
            };
            result = trainer.Run(run.Resume, view.Batch, view.Epoch, cancel);
        }
        if (!result.Completed)
        {
            view.Info($"stopped after epoch {result.State.Epoch}; continue with --resume --out {run.OutPath}");
            return result;
        }
        view.Info(string.Create(CultureInfo.InvariantCulture, $"done: {result.State.Epoch} epochs in {result.State.Seconds:0}s; best epoch {result.State.BestEpoch} (validation balanced accuracy {result.State.BestScore:0.0000})"));
        ModelBundle best = ModelFile.Load(folder.BestModel, device);
        if (split.Validation.Count > 0 && cache.Labels.Max() < best.Spec.NumClasses)
        {
            // Temperature scaling on the validation part, stored in the best model: its confidences mean what they say.
            var (calibration, decision) = Evaluator.FitConfidence(best, cache, split.Validation, best.Normalization, run.Options.ValidationSeed, device, engine);
            best = best with { Calibration = calibration, Decision = decision };
            // How far from the training cells an input may lie before it is refused as not a white cell.
            if (Evaluator.FitFeatureDistance(best, cache, split.Train, split.Validation, best.Normalization, run.Options.ValidationSeed, device, engine) is var (distance, withDistance))
                best = best with { FeatureDistance = distance, Decision = withDistance };
            ModelFile.Save(best, folder.BestModel);
            view.Info($"calibration: {calibration}");
            view.Info($"decision: {best.Decision}");
        }
        var report = Evaluator.Evaluate(best, cache, split.Test, best.Normalization, maskSeeds: [0], batchSize: 64, device: device, coarse: dataset.Level == LabelLevel.Coarse, engine: engine);
        AtomicFile.WriteAllText(folder.TestJson, report.ToJson());
        // The held-out scores travel with the model (info, the page's header).
        var facts = new Dictionary<string, string>(best.Provenance)
        {
            ["test_accuracy"] = report.Primary.Accuracy.ToString("0.0000", CultureInfo.InvariantCulture),
            ["test_balanced_accuracy"] = report.Primary.BalancedAccuracy.ToString("0.0000", CultureInfo.InvariantCulture),
        };
        ModelFile.Save(best with { Provenance = facts }, folder.BestModel);
        view.Info(string.Create(CultureInfo.InvariantCulture, $"test fold ({split.Test.Count} images): accuracy {report.Primary.Accuracy:0.0000}, balanced accuracy {report.Primary.BalancedAccuracy:0.0000}, macro-F1 {report.Primary.MacroF1:0.0000}"));
        best.Model.Dispose();
        return result;
    }

    /// <summary>
    /// The autoencoder's images: the training part of the labelled set and every image of each other domain
    /// (KIND:PATH; their labels are not used). The validation and test parts stay unseen.
    /// </summary>
    public static ImageCache AutoencoderImages(ImageCache cache, IReadOnlyList<int> train, IReadOnlyList<string> domains, int threads, IRunLog view)
    {
        var others = new List<ImageCache>();
        foreach (string domain in domains)
        {
            var (kind, path) = ParseDomain(domain, "--ae-domain");
            Dataset set = DatasetReader.Open(kind, path);
            others.Add(ImageCache.Load(set.Items, cache.Size, threads, preprocessing: cache.Preprocessing));
            view.Info($"autoencoder: {others[^1].Count} unlabelled images of {set.Name}");
        }
        int n = train.Count + others.Sum(o => o.Count), len = cache.ImageLength;
        var data = new float[(long)n * len];
        for (int i = 0; i < train.Count; i++) cache.Image(train[i]).CopyTo(data.AsSpan(i * len, len));
        int next = train.Count;
        foreach (ImageCache other in others)
            for (int i = 0; i < other.Count; i++, next++) other.Image(i).CopyTo(data.AsSpan(next * len, len));
        view.Info($"autoencoder: {n} images in all ({train.Count} from the training part)");
        return ImageCache.FromArrays(cache.Size, data, new int[n]);
    }

    /// <summary>Splits KIND:PATH (the path may hold colons); the kind must be a known reader.</summary>
    public static (string Kind, string Path) ParseDomain(string spec, string option)
    {
        int colon = spec.IndexOf(':');
        if (colon <= 0 || colon == spec.Length - 1) throw new WbcNcaException($"{option} {spec}: expected KIND:PATH");
        string kind = spec[..colon];
        try { _ = DatasetReader.ForKind(kind); }
        catch (WbcNcaException e) { throw new WbcNcaException($"{option} {spec}: {e.Message}"); }
        return (kind, spec[(colon + 1)..]);
    }

    // The relative paths of the candidates that could not be decoded (recorded so that the held-out fold can be rebuilt).
    private static string[] Unreadable(IReadOnlyList<LabeledImage> candidates, IReadOnlyList<Imaging.ImageLoadException> rejected)
    {
        var paths = rejected.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        return candidates.Where(i => paths.Contains(i.Path)).Select(i => i.RelativePath).ToArray();
    }
}
