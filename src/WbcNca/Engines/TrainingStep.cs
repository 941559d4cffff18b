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
    public (Tensor Loss, Tensor Logits) LossAndBackward(NcaClassifier model, Tensor image, Tensor? masks, Func<Tensor, Tensor> loss) =>
        LossAndBackward(new NcaCellClassifier(model, owns: false), image, masks, loss);

    /// <summary>
    /// As <see cref="LossAndBackward(NcaClassifier, Tensor, Tensor?, Func{Tensor, Tensor})"/> for any classifier: an NCA
    /// on the fused kernels where <see cref="NcaEngines.FusedClassifier"/> says so, anything else by libtorch autograd.
    /// </summary>
    public (Tensor Loss, Tensor Logits) LossAndBackward(ICellClassifier model, Tensor image, Tensor? masks, Func<Tensor, Tensor> loss)
    {
        if (NcaEngines.FusedClassifier(model, engine, image.device) is NcaClassifier nca)
            return fused.Step(nca, image, masks, loss);
        using var scope = NewDisposeScope();
        Tensor logits = model.Forward(image, masks);
        Tensor value = loss(logits);
        value.backward();
        return (value.detach().MoveToOuterDisposeScope(), logits.detach().MoveToOuterDisposeScope());
    }
}
