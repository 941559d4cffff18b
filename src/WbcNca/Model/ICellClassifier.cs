using TorchSharp;
using WbcNca.IO;
using static TorchSharp.torch;

namespace WbcNca.Model;

/// <summary>
/// What training, evaluation and prediction need of a cell classifier, whatever its architecture (the NCA, a CNN
/// baseline, the autoencoder + forest baseline): its spec, its torch module (weights, train/eval mode, device), the
/// update masks it takes (only the stochastic NCA uses them; the others get null), the forward pass to class logits,
/// its saved tensors, and its cost (parameters, multiply-accumulates per image).
/// </summary>
public interface ICellClassifier : IDisposable
{
    /// <summary>Architecture and configuration; saved with the weights so that loading builds the same model.</summary>
    ModelSpec Spec { get; }

    /// <summary>The torch module holding the trainable weights (and buffers such as batch-norm statistics).</summary>
    nn.Module Module { get; }

    /// <summary>Number of trainable parameters of <see cref="Module"/>.</summary>
    long ParameterCount { get; }

    /// <summary>True when the forward pass depends on random update masks (the NCA).</summary>
    bool IsStochastic { get; }

    /// <summary>Random per-image masks for one training batch of <paramref name="batch"/> images, or null for a model that takes none.</summary>
    Tensor? TrainingMasks(int batch, Generator generator, Device device);

    /// <summary>
    /// The fixed masks shared by every image of an inference run, drawn from <paramref name="seed"/> with the fire rate
    /// <paramref name="updateProbability"/> (the model's when null), or null for every cell at every step or a model that takes none.
    /// </summary>
    Tensor? InferenceMasks(long seed, double? updateProbability, Device device);

    /// <summary>Class logits (B, classes) of normalised images (B, 3, S, S), with masks from <see cref="TrainingMasks"/> or <see cref="InferenceMasks"/>.</summary>
    Tensor Forward(Tensor images, Tensor? masks);

    /// <summary>Multiply-accumulates of one forward pass for one image (see <see cref="MacCounter"/> for what is counted).</summary>
    long MultiplyAccumulates();

    /// <summary>Every tensor the model file stores, by name (float32 on the CPU when written).</summary>
    IEnumerable<(string Name, Tensor Tensor)> SavedTensors();

    /// <summary>Copies saved tensors back into this model; every expected tensor must be present with its shape, nothing else.</summary>
    /// <exception cref="IO.CheckpointFormatException">A tensor is missing, extra or of another shape.</exception>
    void LoadSavedTensors(IReadOnlyDictionary<string, TensorData> tensors, string path);
}
