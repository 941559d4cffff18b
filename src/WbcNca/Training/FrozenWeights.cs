using static TorchSharp.torch;

namespace WbcNca.Training;

/// <summary>
/// Weights held fixed while something else is fitted through them (the input's colours through a trained model): they stop
/// requiring gradients until disposed, and then require them again as each did before.
/// </summary>
internal sealed class FrozenWeights : IDisposable
{
    private readonly (Tensor Weight, bool Trainable)[] weights;

    /// <summary>Freezes <paramref name="weights"/>.</summary>
    public FrozenWeights(IEnumerable<Tensor> weights)
    {
        this.weights = weights.Select(w => (w, w.requires_grad)).ToArray();
        foreach (var (w, _) in this.weights) w.requires_grad_(false);
    }

    /// <summary>Restores each weight's former <c>requires_grad</c>.</summary>
    public void Dispose()
    {
        foreach (var (w, trainable) in weights) w.requires_grad_(trainable);
    }
}
