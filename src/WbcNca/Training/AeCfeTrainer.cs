using WbcNca.Data;
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using WbcNca.Checkpoints;
using WbcNca.Evaluation;
using WbcNca.Imaging;
using WbcNca.Model;
using WbcNca.Model.Baselines;
using WbcNca.Reporting;
using static TorchSharp.torch;

namespace WbcNca.Training;

/// <summary>
/// Trains the AE-CFE-style baseline with the run folder, options, seed and model selection of <see cref="Trainer"/>:
/// every epoch trains the autoencoder on reconstruction (mean squared error, Adam with exponential decay per batch) over
/// unlabelled images of every domain given (the training part of the labelled set plus other sets' images; the validation
/// and test parts are never seen), augmented as the NCA's training images; then fits the random forest on the bottleneck
/// features of one class-balanced, augmented draw of the labelled training part (the NCA's sampler), and validates the
/// autoencoder + forest. The epoch with the best validation balanced accuracy is kept. Its training accuracy is the
/// forest's on the draw it was fitted on.
/// </summary>
public sealed class AeCfeTrainer
{
    // Purpose tags of the random streams besides SeedMix's sampler, augmentation and mask tags.
    private const long ForestDraws = 101, ForestAugment = 102, ForestTrees = 103;

    private readonly ModelSpec spec;
    private readonly TrainOptions options;
    private readonly ImageCache cache;
    private readonly IReadOnlyList<int> train;
    private readonly IReadOnlyList<int> validation;
    private readonly ImageCache autoencoderImages;
    private readonly RunFolder folder;
    private readonly IReadOnlyList<string> classNames;
    private readonly IReadOnlyDictionary<string, string> provenance;
    private readonly Device device;
    private readonly int threads;
    private readonly Normalization normalization;

    /// <summary>Prepares a run.</summary>
    /// <param name="spec">An aecfe spec (image size must match the caches).</param>
    /// <param name="options">Training options (epochs, batch, learning rate, decay, epoch size, seed, augmentation, normalisation).</param>
    /// <param name="cache">Labelled images (values in [0, 1]).</param>
    /// <param name="train">Cache indices the forest is fitted on.</param>
    /// <param name="validation">Cache indices to select the best epoch on.</param>
    /// <param name="autoencoderImages">The unlabelled images the autoencoder learns from (labels ignored).</param>
    /// <param name="folder">Run folder.</param>
    /// <param name="classNames">Names of the model's outputs.</param>
    /// <param name="provenance">Facts stored in the model files.</param>
    /// <param name="device">Compute device (CPU when null).</param>
    /// <param name="threads">Trees grown in parallel.</param>
    public AeCfeTrainer(ModelSpec spec, TrainOptions options, ImageCache cache, IReadOnlyList<int> train, IReadOnlyList<int> validation,
        ImageCache autoencoderImages, RunFolder folder, IReadOnlyList<string> classNames, IReadOnlyDictionary<string, string>? provenance = null,
        Device? device = null, int threads = 1)
    {
        if (spec.AeCfe is null) throw new ArgumentException($"AeCfeTrainer trains the aecfe baseline, not {spec.Arch}");
        this.spec = spec.Validate();
        this.options = options.Validate();
        if (cache.Size != spec.ImageSize || autoencoderImages.Size != spec.ImageSize)
            throw new ArgumentException($"cached images are {cache.Size}×{cache.Size} and {autoencoderImages.Size}×{autoencoderImages.Size}, the model expects {spec.ImageSize}×{spec.ImageSize}");
        if (classNames.Count != spec.NumClasses) throw new ArgumentException($"{classNames.Count} class names for {spec.NumClasses} outputs");
        if (autoencoderImages.Count == 0) throw new ArgumentException("no images for the autoencoder");
        this.cache = cache;
        this.train = train;
        this.validation = validation;
        this.autoencoderImages = autoencoderImages;
        this.folder = folder;
        this.classNames = classNames;
        this.provenance = provenance ?? new Dictionary<string, string>();
        this.device = device ?? CPU;
        this.threads = Math.Max(1, threads);
        normalization = Normalization.Parse(options.Normalization);
    }

    /// <summary>Runs (or, with <paramref name="resume"/>, continues) the training; see <see cref="Trainer.Run"/>.</summary>
    public TrainingResult Run(bool resume = false, Action<TrainingProgress>? onBatch = null, Action<EpochMetrics>? onEpoch = null, CancellationToken cancel = default)
    {
        AeCfeConfig config = spec.AeCfe!;
        using var model = AeCfeClassifier.Create(config, options.Seed, device);
        ConvAutoencoder autoencoder = model.Autoencoder;
        using var optimizer = optim.Adam(autoencoder.parameters(), options.LearningRate, options.Beta1, options.Beta2);
        int drawsPerEpoch = options.EpochSize > 0 ? options.EpochSize : autoencoderImages.Count;
        var sampler = new BalancedSampler(new int[autoencoderImages.Count], drawsPerEpoch);   // one class: uniform rounds of shuffles

        var state = new TrainingState(0, 0, 0, double.NegativeInfinity, 0, [], options.ToJson(), spec.ConfigJson());
        if (resume && File.Exists(folder.Checkpoint))
        {
            state = TrainingCheckpoint.Load(folder.Checkpoint, autoencoder, optimizer);
            if (state.Config != spec.ConfigJson())
                throw WbcNcaException.ForFile(folder.Checkpoint, "was made with another model configuration; resume with the same --arch and options or use a new --out");
            if (options.ResumeConflict(TrainOptions.FromJson(state.Options)) is string conflict)
                throw WbcNcaException.ForFile(folder.Checkpoint, conflict);
        }
        int batches = (sampler.EpochSize + options.BatchSize - 1) / options.BatchSize;
        var schedule = LearningRateSchedule.For(options, (long)options.Epochs * batches);
        var history = state.History.ToList();
        var eta = new TrainingEta();
        for (int epoch = state.Epoch + 1; epoch <= options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            autoencoder.train();
            int[] order = sampler.Epoch(SeedMix.Derive(options.Seed, SeedMix.Sampler, epoch));
            double lossSum = 0;
            long seen = 0, step = state.Step;
            for (int batch = 0; batch < batches; batch++)
            {
                if (cancel.IsCancellationRequested) return new TrainingResult(state, folder, false);
                long batchStart = Stopwatch.GetTimestamp();
                int start = batch * options.BatchSize, b = Math.Min(options.BatchSize, order.Length - start);
                int[] chunk = order.AsSpan(start, b).ToArray();
                double lr = schedule.RateAt(step);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                using (var scope = NewDisposeScope())
                {
                    using var augmentGen = new Generator(unchecked((ulong)SeedMix.Derive(options.Seed, SeedMix.Augment, epoch, batch)));
                    var (x, _) = Trainer.MakeBatch(autoencoderImages, chunk, options.Augment, normalization, augmentGen, device);   // (B, 3, S, S)
                    optimizer.zero_grad();
                    Tensor loss = nn.functional.mse_loss(autoencoder.forward(x), x);
                    loss.backward();
                    optimizer.step();
                    lossSum += loss.item<float>() * b;
                    seen += b;
                }
                step++;
                eta.Batch(Stopwatch.GetElapsedTime(batchStart).TotalSeconds);
                if (onBatch is not null)
                {
                    int left = batches - batch - 1;
                    onBatch(new TrainingProgress(epoch, options.Epochs, batch + 1, batches, lossSum / seen, null, seen / clock.Elapsed.TotalSeconds,
                        eta.EpochLeft(left), eta.RunLeft(left, options.Epochs - epoch, batches), lr));
                }
            }

            long endStart = Stopwatch.GetTimestamp();

            double trainAccuracy = FitForest(model, epoch);
            var metrics = EpochEnd.Measure(model, cache, validation, normalization, options, classNames, device, epoch, lossSum / seen, trainAccuracy,
                schedule.RateAt(step - 1), clock);
            state = EpochEnd.Complete(state, history, metrics, step, folder, (path, m) => SaveModel(model, path, epoch, m),
                s => TrainingCheckpoint.Save(folder.Checkpoint, s, autoencoder, optimizer));
            eta.EpochEnd(Stopwatch.GetElapsedTime(endStart).TotalSeconds);
            onEpoch?.Invoke(metrics);
        }
        return new TrainingResult(state, folder, state.Epoch >= options.Epochs);
    }

    /// <summary>Fits the forest of <paramref name="epoch"/> on the features of a balanced, augmented draw of the training part; returns its accuracy on that draw.</summary>
    private double FitForest(AeCfeClassifier model, int epoch)
    {
        AeCfeConfig config = spec.AeCfe!;
        model.Autoencoder.eval();
        int[] draw = new BalancedSampler(train.Select(i => cache.Labels[i]).ToArray(), options.EpochSize > 0 ? options.EpochSize : train.Count)
            .Epoch(SeedMix.Derive(options.Seed, ForestDraws, epoch));
        int d = config.Bottleneck;
        var features = new float[(long)draw.Length * d];
        var labels = new int[draw.Length];
        for (int start = 0, batch = 0; start < draw.Length; start += 64, batch++)
        {
            int b = Math.Min(64, draw.Length - start);
            int[] chunk = draw.AsSpan(start, b).ToArray().Select(i => train[i]).ToArray();
            using var scope = NewDisposeScope();
            using var augmentGen = new Generator(unchecked((ulong)SeedMix.Derive(options.Seed, ForestAugment, epoch, batch)));
            var (x, _) = Trainer.MakeBatch(cache, chunk, options.Augment, normalization, augmentGen, device);   // (B, 3, S, S)
            model.Features(x).CopyTo(features, (long)start * d);
            for (int i = 0; i < b; i++) labels[start + i] = cache.Labels[chunk[i]];
        }
        model.Forest = RandomForest.Fit(features, draw.Length, d, labels, spec.NumClasses, config.Trees,
            SeedMix.Derive(options.Seed, ForestTrees, epoch), config.MinLeaf, config.MaxDepth, threads);
        int[] predicted = CachedInference.ArgMax(model.Forest.PredictProbabilities(features, draw.Length), spec.NumClasses);
        return (double)predicted.Where((p, i) => p == labels[i]).Count() / draw.Length;
    }

    private void SaveModel(AeCfeClassifier model, string path, int epoch, EpochMetrics metrics)
    {
        var facts = EpochEnd.ModelFacts(provenance, epoch, options, metrics);
        facts["forest_nodes"] = model.Forest!.Nodes.ToString(CultureInfo.InvariantCulture);
        facts["autoencoder_images"] = autoencoderImages.Count.ToString(CultureInfo.InvariantCulture);
        ModelFile.Save(new ModelBundle(model, classNames, normalization, facts) { Preprocessing = options.InputPreprocessing }, path);
    }
}
