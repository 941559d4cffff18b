using TorchSharp;
using WbcNca.Checkpoints;
using WbcNca.IO;
using static TorchSharp.torch;

namespace WbcNca.Model;

/// <summary>
/// The NCA (<see cref="NcaClassifier"/>, unchanged) seen as an <see cref="ICellClassifier"/>: random per-image masks
/// for training (eq. 4), masks shared by a batch and fixed by a seed for inference, every cell at every step when the
/// fire rate is 1.
/// </summary>
public sealed class NcaCellClassifier : ICellClassifier
{
    private readonly bool owns;

    /// <summary>Wraps <paramref name="classifier"/>; with <paramref name="owns"/> disposing this disposes it.</summary>
    public NcaCellClassifier(NcaClassifier classifier, bool owns = true)
    {
        Classifier = classifier;
        this.owns = owns;
        Spec = ModelSpec.ForNca(classifier.Config);
    }

    /// <summary>The NCA.</summary>
    public NcaClassifier Classifier { get; }

    /// <inheritdoc/>
    public ModelSpec Spec { get; }

    /// <inheritdoc/>
    public nn.Module Module => Classifier;

    /// <inheritdoc/>
    public long ParameterCount => Classifier.ParameterCount;

    /// <inheritdoc/>
    public bool IsStochastic => true;

    /// <inheritdoc/>
    public Tensor? TrainingMasks(int batch, Generator generator, Device device)
    {
        NcaConfig c = Classifier.Config;
        return UpdateMask.Sample(c.Steps, batch, c.ImageSize, c.UpdateProbability, generator, device);   // (k, B, S, S, 1)
    }

    /// <inheritdoc/>
    public Tensor? InferenceMasks(long seed, double? updateProbability, Device device)
    {
        NcaConfig c = Classifier.Config;
        double p = updateProbability ?? c.UpdateProbability;
        return p >= 1 ? null : UpdateMask.Seeded(c.Steps, c.ImageSize, p, seed, device);                  // (k, 1, S, S, 1)
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor images, Tensor? masks) => Classifier.forward(images, masks);

    /// <summary>
    /// k steps over every cell (the masked-out cells are computed too, as in the reference: the update is computed for
    /// all cells and masked afterwards): per cell and step the two depthwise 3×3 perception kernels, Linear(3n→h) and
    /// Linear(h→n); then the head's two linear layers once.
    /// </summary>
    public long MultiplyAccumulates()
    {
        NcaConfig c = Classifier.Config;
        var shapes = Classifier.named_parameters().ToDictionary(p => p.name, p => (IReadOnlyList<long>)p.parameter.shape);
        long cells = (long)c.ImageSize * c.ImageSize;
        long perCellStep = MacCounter.Conv2d(shapes["backbone.perception.k1.weight"], 1, 1)
                         + MacCounter.Conv2d(shapes["backbone.perception.k2.weight"], 1, 1)
                         + MacCounter.Linear(shapes["backbone.update.fc1.weight"])
                         + MacCounter.Linear(shapes["backbone.update.fc2.weight"]);
        return c.Steps * cells * perCellStep + MacCounter.Linear(shapes["head.fc1.weight"]) + MacCounter.Linear(shapes["head.fc2.weight"]);
    }

    /// <inheritdoc/>
    public IEnumerable<(string Name, Tensor Tensor)> SavedTensors() => Classifier.state_dict().Select(kv => (kv.Key, kv.Value));

    /// <inheritdoc/>
    public void LoadSavedTensors(IReadOnlyDictionary<string, TensorData> tensors, string path) => ModelFile.LoadWeights(Classifier, tensors, path);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (owns) Classifier.Dispose();
    }
}
