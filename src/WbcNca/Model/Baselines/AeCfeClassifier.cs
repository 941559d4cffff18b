using TorchSharp;
using WbcNca.Checkpoints;
using WbcNca.IO;
using static TorchSharp.torch;

namespace WbcNca.Model.Baselines;

/// <summary>
/// The AE-CFE-style baseline as a classifier: the autoencoder's bottleneck vector of each image, classified by a random
/// forest. Its "logits" are the logarithms of the forest's class probabilities (clamped at 10⁻⁶), so that a softmax gives
/// the probabilities back and the cross-entropy is their negative log-likelihood. The forest is not differentiable: the
/// autoencoder is trained on reconstruction and the forest is fitted afterwards (see Training.AeCfeTrainer).
/// </summary>
public sealed class AeCfeClassifier : ICellClassifier
{
    private const string AutoencoderPrefix = "autoencoder.";
    private const string ForestPrefix = "forest.";

    /// <summary>Creates the classifier with a fresh autoencoder (libtorch's global generator) and no forest yet.</summary>
    public AeCfeClassifier(AeCfeConfig config)
    {
        Config = config.Validate();
        Spec = ModelSpec.ForAeCfe(config);
        Autoencoder = new ConvAutoencoder(config);
    }

    /// <summary>Creates the classifier with initial weights fixed by <paramref name="seed"/> (seeds libtorch's global generator, as the NCA does).</summary>
    public static AeCfeClassifier Create(AeCfeConfig config, long seed, Device? device = null)
    {
        random.manual_seed(seed);
        var model = new AeCfeClassifier(config);
        if (device is not null) model.Autoencoder.to(device);
        return model;
    }

    /// <summary>The configuration.</summary>
    public AeCfeConfig Config { get; }

    /// <summary>The autoencoder.</summary>
    public ConvAutoencoder Autoencoder { get; }

    /// <summary>The fitted forest, or null before the first fit.</summary>
    public RandomForest? Forest { get; set; }

    /// <inheritdoc/>
    public ModelSpec Spec { get; }

    /// <inheritdoc/>
    public nn.Module Module => Autoencoder;

    /// <summary>Parameters of the autoencoder (encoder and decoder); the forest's nodes are not counted.</summary>
    public long ParameterCount => Autoencoder.parameters().Sum(p => p.numel());

    /// <inheritdoc/>
    public bool IsStochastic => false;

    /// <inheritdoc/>
    public Tensor? TrainingMasks(int batch, Generator generator, Device device) => null;

    /// <inheritdoc/>
    public Tensor? InferenceMasks(long seed, double? updateProbability, Device device) => null;

    /// <summary>Bottleneck vectors of normalised images (B, 3, S, S), row-major (B × bottleneck) on the CPU, without gradients.</summary>
    public float[] Features(Tensor images)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return Autoencoder.Encode(images).cpu().data<float>().ToArray();
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor images, Tensor? masks)
    {
        RandomForest forest = Forest ?? throw new InvalidOperationException("the AE-CFE forest has not been fitted yet");
        int b = (int)images.shape[0];
        float[] probabilities = forest.PredictProbabilities(Features(images), b);
        for (int i = 0; i < probabilities.Length; i++) probabilities[i] = MathF.Log(MathF.Max(probabilities[i], 1e-6f));
        return tensor(probabilities, [b, forest.Classes]).to(images.device);   // (B, classes)
    }

    /// <summary>The encoder's MACs (the decoder is not used to classify; the forest compares, it does not multiply).</summary>
    public long MultiplyAccumulates() => Autoencoder.EncoderMultiplyAccumulates(Config.ImageSize);

    /// <inheritdoc/>
    public IEnumerable<(string Name, Tensor Tensor)> SavedTensors()
    {
        RandomForest forest = Forest ?? throw new InvalidOperationException("the AE-CFE forest has not been fitted yet: nothing to save");
        foreach (var (name, t) in Autoencoder.state_dict()) yield return (AutoencoderPrefix + name, t);
        foreach (var (name, data) in forest.ToTensors(ForestPrefix)) yield return (name, tensor(data.Data, data.Shape));
    }

    /// <inheritdoc/>
    public void LoadSavedTensors(IReadOnlyDictionary<string, TensorData> tensors, string path)
    {
        foreach (string name in tensors.Keys)
            if (!name.StartsWith(AutoencoderPrefix, StringComparison.Ordinal)
                && !(name.StartsWith(ForestPrefix, StringComparison.Ordinal) && RandomForest.TensorNames.Contains(name[ForestPrefix.Length..])))
                throw new CheckpointFormatException(path, $"unexpected tensor '{name}' (the weights do not belong to an aecfe classifier of this version)");
        ModuleWeights.Load(Autoencoder, tensors, path, "an aecfe classifier", AutoencoderPrefix);
        RandomForest forest = RandomForest.FromTensors(tensors, ForestPrefix, Config.Bottleneck, path);
        if (forest.Classes != Config.NumClasses) throw new CheckpointFormatException(path, $"the forest has {forest.Classes} classes but the config {Config.NumClasses}");
        Forest = forest;
    }

    /// <inheritdoc/>
    public void Dispose() => Autoencoder.Dispose();
}
