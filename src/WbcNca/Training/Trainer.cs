using WbcNca.Data;
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
/// End-to-end training of a classifier (the <see cref="NcaClassifier"/> through all k steps, or a CNN baseline): class-balanced epochs
/// (<see cref="BalancedSampler"/>), augmentation on tensors (<see cref="Augmentation"/>), per-image random update
/// masks from a seeded generator (NCA only), Adam with a learning rate set per batch (<see cref="LearningRateSchedule"/>), validation after every epoch with fixed masks,
/// and the best model by validation balanced accuracy. After every epoch the run folder gets the last model, the best
/// model (when improved), the training checkpoint, the metrics and the curves.
/// </summary>
public sealed class Trainer
{
    private readonly ModelSpec spec;
    private readonly TrainOptions options;
    private readonly ImageCache cache;
    private readonly ImageCache trainingImages;
    private readonly IReadOnlyList<int> train;
    private readonly IReadOnlyList<int> validation;
    private readonly RunFolder folder;
    private readonly Device device;
    private readonly IReadOnlyList<string> classNames;
    private readonly IReadOnlyDictionary<string, string> provenance;
    private readonly Normalization normalization;

    /// <summary>Prepares a run of an NCA.</summary>
    /// <param name="config">Model configuration (image size must match the cache).</param>
    /// <param name="options">Training options.</param>
    /// <param name="cache">Cached images (values in [0, 1]).</param>
    /// <param name="train">Cache indices to train on.</param>
    /// <param name="validation">Cache indices to select the best epoch on.</param>
    /// <param name="folder">Run folder.</param>
    /// <param name="classNames">Names of the model's outputs.</param>
    /// <param name="provenance">Facts stored in the model files (dataset, fold, …).</param>
    /// <param name="device">Compute device (CPU when null).</param>
    /// <param name="trainingImages">
    /// The same images as <paramref name="cache"/>, in the same order, at an integer multiple of the model's resolution,
    /// from which training batches are resampled (see <see cref="SupersampleFactor"/>); <paramref name="cache"/> itself when null.
    /// </param>
    public Trainer(NcaConfig config, TrainOptions options, ImageCache cache, IReadOnlyList<int> train, IReadOnlyList<int> validation,
        RunFolder folder, IReadOnlyList<string> classNames, IReadOnlyDictionary<string, string>? provenance = null, Device? device = null,
        ImageCache? trainingImages = null)
        : this(ModelSpec.ForNca(config), options, cache, train, validation, folder, classNames, provenance, device, trainingImages)
    {
    }

    /// <summary>Prepares a run of any gradient-trained architecture (not aecfe, which <see cref="AeCfeTrainer"/> trains).</summary>
    /// <param name="spec">Architecture and configuration (image size must match the cache).</param>
    /// <param name="options">Training options.</param>
    /// <param name="cache">Cached images (values in [0, 1]).</param>
    /// <param name="train">Cache indices to train on.</param>
    /// <param name="validation">Cache indices to select the best epoch on.</param>
    /// <param name="folder">Run folder.</param>
    /// <param name="classNames">Names of the model's outputs.</param>
    /// <param name="provenance">Facts stored in the model files (dataset, fold, …).</param>
    /// <param name="device">Compute device (CPU when null).</param>
    /// <param name="trainingImages">
    /// The same images as <paramref name="cache"/>, in the same order, at an integer multiple of the model's resolution,
    /// from which training batches are resampled (see <see cref="SupersampleFactor"/>); <paramref name="cache"/> itself when null.
    /// </param>
    public Trainer(ModelSpec spec, TrainOptions options, ImageCache cache, IReadOnlyList<int> train, IReadOnlyList<int> validation,
        RunFolder folder, IReadOnlyList<string> classNames, IReadOnlyDictionary<string, string>? provenance = null, Device? device = null,
        ImageCache? trainingImages = null)
    {
        this.spec = spec.Validate();
        if (spec.Arch == ModelSpec.AeCfeArch) throw new ArgumentException("the aecfe baseline is trained by AeCfeTrainer (autoencoder + forest), not by gradient descent on its outputs");
        this.options = options.Validate();
        if (cache.Size != spec.ImageSize) throw new ArgumentException($"cached images are {cache.Size}×{cache.Size}, the model expects {spec.ImageSize}×{spec.ImageSize}");
        if (classNames.Count != spec.NumClasses) throw new ArgumentException($"{classNames.Count} class names for {spec.NumClasses} outputs");
        if (trainingImages is not null && (trainingImages.Count != cache.Count || trainingImages.Size % cache.Size != 0))
            throw new ArgumentException($"training images ({trainingImages.Count} at {trainingImages.Size}²) do not match the cache ({cache.Count} at {cache.Size}²)");
        this.cache = cache;
        this.trainingImages = trainingImages ?? cache;
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
        using ICellClassifier model = spec.Create(options.Seed, device);
        model.Module.train();
        using var optimizer = optim.Adam(model.Module.parameters(), options.LearningRate, options.Beta1, options.Beta2);
        using var trainingStep = new TrainingStep(Engine);
        var sampler = new BalancedSampler(train.Select(i => cache.Labels[i]).ToArray(), options.EpochSize > 0 ? options.EpochSize : train.Count);

        var state = new TrainingState(0, 0, 0, double.NegativeInfinity, 0, [], options.ToJson(), spec.ConfigJson());
        if (resume && File.Exists(folder.Checkpoint))
        {
            state = TrainingCheckpoint.Load(folder.Checkpoint, model.Module, optimizer);
            if (state.Config != spec.ConfigJson())
                throw WbcNcaException.ForFile(folder.Checkpoint, "was made with another model configuration; resume with the same --preset/--channels/... or use a new --out");
            if (options.ResumeConflict(TrainOptions.FromJson(state.Options)) is string conflict)
                throw WbcNcaException.ForFile(folder.Checkpoint, conflict);
        }
        int batches = (sampler.EpochSize + options.BatchSize - 1) / options.BatchSize;
        var schedule = LearningRateSchedule.For(options, (long)options.Epochs * batches);
        var history = state.History.ToList();
        bool cancelled = false;
        var eta = new TrainingEta();
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
                long batchStart = Stopwatch.GetTimestamp();
                int start = batch * options.BatchSize, b = Math.Min(options.BatchSize, order.Length - start);
                int[] chunk = order.AsSpan(start, b).ToArray().Select(i => train[i]).ToArray();
                double lr = schedule.RateAt(step);
                foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
                using (var scope = NewDisposeScope())
                {
                    using var augmentGen = new Generator(unchecked((ulong)SeedMix.Derive(options.Seed, SeedMix.Augment, epoch, batch)));
                    using var maskGen = new Generator(unchecked((ulong)SeedMix.Derive(options.Seed, SeedMix.Masks, epoch, batch)));
                    var (x, y) = MakeBatch(trainingImages, chunk, options.Augment, normalization, augmentGen, device, spec.ImageSize);
                    Tensor? masks = model.TrainingMasks(b, maskGen, device);   // (k, B, S, S, 1) for the NCA, null for a CNN
                    optimizer.zero_grad();
                    Tensor LossOf(Tensor l) => options.Loss == LossKind.CrossEntropy
                        ? nn.functional.cross_entropy(l, y)
                        : nn.functional.binary_cross_entropy_with_logits(l, nn.functional.one_hot(y, spec.NumClasses).to_type(ScalarType.Float32));
                    var (loss, logits) = trainingStep.LossAndBackward(model, x, masks, LossOf);   // an NCA on the fused kernels on the CPU
                    float lossValue = loss.item<float>();
                    if (!float.IsFinite(lossValue))
                        throw Diverged(state, $"the loss is {lossValue.ToString(CultureInfo.InvariantCulture)} at epoch {epoch}, batch {batch + 1}");
                    optimizer.step();
                    lr = optimizer.ParamGroups.First().LearningRate;   // the rate this step used, as the optimiser held it
                    lossSum += lossValue * b;
                    correct += logits.argmax(1).eq(y).sum().item<long>();
                    seen += b;
                }
                step++;
                eta.Batch(Stopwatch.GetElapsedTime(batchStart).TotalSeconds);
                if (onBatch is not null)
                {
                    int left = batches - batch - 1;
                    onBatch(new TrainingProgress(epoch, options.Epochs, batch + 1, batches, lossSum / seen, (double)correct / seen, seen / clock.Elapsed.TotalSeconds,
                        eta.EpochLeft(left), eta.RunLeft(left, options.Epochs - epoch, batches), lr));
                }
            }
            if (cancelled) break;

            long endStart = Stopwatch.GetTimestamp();
            if (NonFiniteParameter(model) is string bad)
                throw Diverged(state, $"parameter '{bad}' is no longer finite after epoch {epoch}");
            var metrics = EpochEnd.Measure(model, cache, validation, normalization, options, classNames, device, epoch, lossSum / seen, (double)correct / seen,
                schedule.RateAt(step - 1), clock, Engine);
            state = EpochEnd.Complete(state, history, metrics, step, folder, (path, m) => SaveModel(model, path, epoch, m),
                s => TrainingCheckpoint.Save(folder.Checkpoint, s, model.Module, optimizer));
            eta.EpochEnd(Stopwatch.GetElapsedTime(endStart).TotalSeconds);
            onEpoch?.Invoke(metrics);
        }
        return new TrainingResult(state, folder, state.Epoch >= options.Epochs);
    }

    /// <summary>
    /// One training batch: the cached images <paramref name="indices"/> augmented and normalised (B, 3, S, S) with S =
    /// <paramref name="outputSize"/> (the cache's side when null), and their labels (B) exactly as cached: augmentation
    /// changes pixels, never labels.
    /// </summary>
    public static (Tensor Images, Tensor Labels) MakeBatch(ImageCache cache, IReadOnlyList<int> indices, AugmentationOptions augmentation,
        Normalization normalization, Generator generator, Device? device = null, int? outputSize = null)
    {
        using var scope = NewDisposeScope();
        int s = cache.Size;
        Tensor x = tensor(cache.Gather(indices), [indices.Count, 3, s, s]);
        x = normalization.ApplyTo(Augmentation.Apply(x, augmentation, generator, outputSize));
        Tensor y = tensor(indices.Select(i => (long)cache.Labels[i]).ToArray());
        if (device is not null) { x = x.to(device); y = y.to(device); }
        return (x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// How much finer than the model's resolution training images are decoded: 2 with zoom augmentation (a cell
    /// magnified up to 2× keeps full detail; at no zoom the 2× copy is averaged down 2×2), 1 otherwise.
    /// </summary>
    public static int SupersampleFactor(AugmentationOptions augmentation) => augmentation.AnyZoom ? 2 : 1;

    /// <summary>
    /// The error that stops a diverged run before anything of it is saved: the files of the last completed epoch (or
    /// none) stay as they are, so <c>--resume</c> or a new run with a lower learning rate starts from good weights.
    /// </summary>
    private WbcNcaException Diverged(TrainingState state, string what)
    {
        string kept = state.Epoch > 0
            ? $"the run folder keeps epoch {state.Epoch} (training.ckpt, last.safetensors, best.safetensors), saved before this happened"
            : "no epoch was completed, so nothing was saved";
        return WbcNcaException.ForFile(folder.Path, $"training stopped: {what}; {kept}; lower --lr or check the data");
    }

    private static string? NonFiniteParameter(ICellClassifier model)
    {
        using var _ = no_grad();
        foreach (var (name, p) in model.Module.named_parameters())
            if (!isfinite(p).all().item<bool>()) return name;
        return null;
    }

    private void SaveModel(ICellClassifier model, string path, int epoch, EpochMetrics metrics)
    {
        var facts = EpochEnd.ModelFacts(provenance, epoch, options, metrics);
        ModelFile.Save(new ModelBundle(model, classNames, normalization, facts) { Preprocessing = options.InputPreprocessing }, path);
    }
}
