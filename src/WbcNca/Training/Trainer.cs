using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using WbcNca.Checkpoints;
using WbcNca.Engines;
using WbcNca.Evaluation;
using WbcNca.Imaging;
using WbcNca.Model;
using WbcNca.Reporting;
using static TorchSharp.torch;

namespace WbcNca.Training;

/// <summary>
/// End-to-end training of an <see cref="NcaClassifier"/> through all k steps: class-balanced epochs
/// (<see cref="BalancedSampler"/>), augmentation on tensors (<see cref="Augmentation"/>), per-image random update
/// masks from a seeded generator, Adam with exponential decay per batch, validation after every epoch with fixed masks,
/// and the best model by validation balanced accuracy. After every epoch the run folder gets the last model, the best
/// model (when improved), the training checkpoint, the metrics and the curves.
/// </summary>
public sealed class Trainer
{
    private readonly NcaConfig config;
    private readonly TrainOptions options;
    private readonly ImageCache cache;
    private readonly IReadOnlyList<int> train;
    private readonly IReadOnlyList<int> validation;
    private readonly RunFolder folder;
    private readonly Device device;
    private readonly IReadOnlyList<string> classNames;
    private readonly IReadOnlyDictionary<string, string> provenance;
    private readonly Normalization normalization;

    /// <summary>Prepares a run.</summary>
    /// <param name="config">Model configuration (image size must match the cache).</param>
    /// <param name="options">Training options.</param>
    /// <param name="cache">Cached images (values in [0, 1]).</param>
    /// <param name="train">Cache indices to train on.</param>
    /// <param name="validation">Cache indices to select the best epoch on.</param>
    /// <param name="folder">Run folder.</param>
    /// <param name="classNames">Names of the model's outputs.</param>
    /// <param name="provenance">Facts stored in the model files (dataset, fold, …).</param>
    /// <param name="device">Compute device (CPU when null).</param>
    public Trainer(NcaConfig config, TrainOptions options, ImageCache cache, IReadOnlyList<int> train, IReadOnlyList<int> validation,
        RunFolder folder, IReadOnlyList<string> classNames, IReadOnlyDictionary<string, string>? provenance = null, Device? device = null)
    {
        this.config = config.Validate();
        this.options = options.Validate();
        if (cache.Size != config.ImageSize) throw new ArgumentException($"cached images are {cache.Size}×{cache.Size}, the model expects {config.ImageSize}×{config.ImageSize}");
        if (classNames.Count != config.NumClasses) throw new ArgumentException($"{classNames.Count} class names for {config.NumClasses} outputs");
        this.cache = cache;
        this.train = train;
        this.validation = validation;
        this.folder = folder;
        this.classNames = classNames;
        this.provenance = provenance ?? new Dictionary<string, string>();
        this.device = device ?? CPU;
        normalization = Normalization.Parse(options.Normalization);
    }

    /// <summary>How the backbone's forward and backward run: by default the fused C# kernels on the CPU, libtorch elsewhere.</summary>
    public NcaEngine Engine { get; init; } = NcaEngine.Fused;

    /// <summary>Runs (or, with <paramref name="resume"/>, continues) the training.</summary>
    /// <param name="resume">Continue from the folder's training checkpoint when there is one.</param>
    /// <param name="onBatch">Called after each batch.</param>
    /// <param name="onEpoch">Called after each epoch.</param>
    /// <param name="cancel">Stops after the current batch; the run folder keeps the last completed epoch.</param>
    public TrainingResult Run(bool resume = false, Action<TrainingProgress>? onBatch = null, Action<EpochMetrics>? onEpoch = null, CancellationToken cancel = default)
    {
        using var model = NcaClassifier.Create(config, options.Seed, device);
        model.train();
        using var optimizer = optim.Adam(model.parameters(), options.LearningRate, options.Beta1, options.Beta2);
        using var trainingStep = new TrainingStep(Engine);
        var schedule = new LearningRateSchedule(options.LearningRate, options.Decay);
        var sampler = new BalancedSampler(train.Select(i => cache.Labels[i]).ToArray(), options.EpochSize > 0 ? options.EpochSize : train.Count);

        var state = new TrainingState(0, 0, 0, double.NegativeInfinity, 0, [], options.ToJson(), config.ToJson());
        if (resume && File.Exists(folder.Checkpoint))
        {
            state = TrainingCheckpoint.Load(folder.Checkpoint, model, optimizer);
            if (state.Config != config.ToJson())
                throw WbcNcaException.ForFile(folder.Checkpoint, "was made with another model configuration; resume with the same --preset/--channels/... or use a new --out");
            if (TrainOptions.FromJson(state.Options) with { Epochs = options.Epochs } != options)
                throw WbcNcaException.ForFile(folder.Checkpoint, "was made with other training options (only --epochs may change on --resume)");
        }
        int batches = (sampler.EpochSize + options.BatchSize - 1) / options.BatchSize;
        var history = state.History.ToList();
        bool cancelled = false;
        for (int epoch = state.Epoch + 1; epoch <= options.Epochs && !cancelled; epoch++)
        {
            var clock = Stopwatch.StartNew();
            int[] order = sampler.Epoch(SeedMix.Derive(options.Seed, SeedMix.Sampler, epoch));
            double lossSum = 0;
            long correct = 0, seen = 0;
            long step = state.Step;
            for (int batch = 0; batch < batches; batch++)
            {
                if (cancel.IsCancellationRequested) { cancelled = true; break; }
                int start = batch * options.BatchSize, b = Math.Min(options.BatchSize, order.Length - start);
                int[] chunk = order.AsSpan(start, b).ToArray().Select(i => train[i]).ToArray();
                double lr = schedule.RateAt(step);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                using (var scope = NewDisposeScope())
                {
                    using var augmentGen = new Generator(unchecked((ulong)SeedMix.Derive(options.Seed, SeedMix.Augment, epoch, batch)));
                    using var maskGen = new Generator(unchecked((ulong)SeedMix.Derive(options.Seed, SeedMix.Masks, epoch, batch)));
                    var (x, y) = MakeBatch(cache, chunk, options.Augment, normalization, augmentGen, device);
                    Tensor masks = UpdateMask.Sample(config.Steps, b, config.ImageSize, config.UpdateProbability, maskGen, device);
                    optimizer.zero_grad();
                    var (loss, logits) = trainingStep.LossAndBackward(model, x, masks, l => options.Loss == LossKind.CrossEntropy
                        ? nn.functional.cross_entropy(l, y)
                        : nn.functional.binary_cross_entropy_with_logits(l, nn.functional.one_hot(y, config.NumClasses).to_type(ScalarType.Float32)));
                    optimizer.step();
                    lossSum += loss.item<float>() * b;
                    correct += logits.argmax(1).eq(y).sum().item<long>();
                    seen += b;
                }
                step++;
                if (onBatch is not null)
                {
                    double elapsed = clock.Elapsed.TotalSeconds;
                    double perBatch = elapsed / (batch + 1);
                    double epochLeft = perBatch * (batches - batch - 1);
                    double runLeft = epochLeft + perBatch * batches * (options.Epochs - epoch);
                    onBatch(new TrainingProgress(epoch, options.Epochs, batch + 1, batches, lossSum / seen, (double)correct / seen, seen / elapsed,
                        TimeSpan.FromSeconds(epochLeft), TimeSpan.FromSeconds(runLeft)));
                }
            }
            if (cancelled) break;

            var (probs, valLoss) = CachedInference.Run(model, cache, validation, normalization, options.ValidationSeed, 64, device);
            int[] predicted = CachedInference.ArgMax(probs, config.NumClasses);
            var valMetrics = ClassificationMetrics.From(classNames, validation.Select(i => cache.Labels[i]).ToArray(), predicted);
            var metrics = new EpochMetrics(epoch, lossSum / seen, (double)correct / seen, valLoss, valMetrics.Accuracy, valMetrics.BalancedAccuracy,
                schedule.RateAt(step - 1), clock.Elapsed.TotalSeconds);
            history.Add(metrics);
            bool improved = metrics.ValidationBalancedAccuracy > state.BestScore;
            state = state with
            {
                Epoch = epoch,
                Step = step,
                BestEpoch = improved ? epoch : state.BestEpoch,
                BestScore = improved ? metrics.ValidationBalancedAccuracy : state.BestScore,
                Seconds = state.Seconds + clock.Elapsed.TotalSeconds,
                History = history.ToArray(),
            };
            SaveModel(model, folder.LastModel, epoch, metrics);
            if (improved) SaveModel(model, folder.BestModel, epoch, metrics);
            TrainingCheckpoint.Save(folder.Checkpoint, state, model, optimizer);
            folder.WriteMetrics(history);
            TryPlot(history);
            onEpoch?.Invoke(metrics);
        }
        return new TrainingResult(state, folder, state.Epoch >= options.Epochs);
    }

    /// <summary>
    /// One training batch: the cached images <paramref name="indices"/> augmented and normalised (B, 3, S, S), and their
    /// labels (B) exactly as cached: augmentation changes pixels, never labels.
    /// </summary>
    public static (Tensor Images, Tensor Labels) MakeBatch(ImageCache cache, IReadOnlyList<int> indices, AugmentationOptions augmentation,
        Normalization normalization, Generator generator, Device? device = null)
    {
        using var scope = NewDisposeScope();
        int s = cache.Size;
        Tensor x = tensor(cache.Gather(indices), [indices.Count, 3, s, s]);
        x = Augmentation.Normalize(Augmentation.Apply(x, augmentation, generator), normalization);
        Tensor y = tensor(indices.Select(i => (long)cache.Labels[i]).ToArray());
        if (device is not null) { x = x.to(device); y = y.to(device); }
        return (x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    private void SaveModel(NcaClassifier model, string path, int epoch, EpochMetrics metrics)
    {
        var facts = new Dictionary<string, string>(provenance)
        {
            ["source"] = "wbc-nca train",
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["validation_balanced_accuracy"] = metrics.ValidationBalancedAccuracy.ToString("0.####", CultureInfo.InvariantCulture),
            ["train_options"] = options.ToJson().ReplaceLineEndings(" "),
        };
        ModelFile.Save(new ModelBundle(model, classNames, normalization, facts), path);
    }

    private void TryPlot(IReadOnlyList<EpochMetrics> history)
    {
        try
        {
            Plots.TrainingCurves(history, folder.CurvesPng);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TypeInitializationException or DllNotFoundException)
        {
            // A plot is a convenience: training goes on without it (e.g. no native Skia).
        }
    }
}
