using TorchSharp;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Engines;

/// <summary>The loss and gradient of training batches on the chosen engine (keeps the fused engine's buffers between batches).</summary>
public sealed class TrainingStep : IDisposable
{
    private readonly NcaEngine engine;
    private readonly FusedBackprop fused = new();

    /// <summary>Creates the step for <paramref name="engine"/>.</summary>
    public TrainingStep(NcaEngine engine) => this.engine = engine;

    /// <summary>Frees the fused engine's buffers.</summary>
    public void Dispose() => fused.Dispose();

    /// <summary>
    /// Computes <paramref name="loss"/> of the model's logits and accumulates its gradient into the parameters:
    /// on the engine given at construction, with <see cref="NcaEngine.Fused"/> (CPU only) through <see cref="FusedBackprop"/>, otherwise by libtorch autograd
    /// over the whole graph. Both give the same loss and gradients to float rounding.
    /// </summary>
    /// <returns>The scalar loss and the logits (B, classes), detached.</returns>
    public (Tensor Loss, Tensor Logits) LossAndBackward(NcaClassifier model, Tensor image, Tensor? masks, Func<Tensor, Tensor> loss)
    {
        if (engine == NcaEngine.Fused && image.device.type == DeviceType.CPU)
            return fused.Step(model, image, masks, loss);
        using var scope = NewDisposeScope();
        Tensor logits = model.forward(image, masks);
        Tensor value = loss(logits);
        value.backward();
        return (value.detach().MoveToOuterDisposeScope(), logits.detach().MoveToOuterDisposeScope());
    }
}
