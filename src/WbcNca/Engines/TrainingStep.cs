using TorchSharp;
using WbcNca.Model;
using static TorchSharp.torch;

namespace WbcNca.Engines;

/// <summary>The loss and gradient of one training batch on the chosen engine.</summary>
public static class TrainingStep
{
    /// <summary>
    /// Computes <paramref name="loss"/> of the model's logits and accumulates its gradient into the parameters:
    /// with <see cref="NcaEngine.Fused"/> (CPU only) through <see cref="FusedBackprop"/>, otherwise by libtorch autograd
    /// over the whole graph. Both give the same loss and gradients to float rounding.
    /// </summary>
    /// <returns>The scalar loss and the logits (B, classes), detached.</returns>
    public static (Tensor Loss, Tensor Logits) LossAndBackward(NcaClassifier model, Tensor image, Tensor? masks, Func<Tensor, Tensor> loss, NcaEngine engine)
    {
        if (engine == NcaEngine.Fused && image.device.type == DeviceType.CPU)
            return FusedBackprop.LossAndBackward(model, image, masks, loss);
        using var scope = NewDisposeScope();
        Tensor logits = model.forward(image, masks);
        Tensor value = loss(logits);
        value.backward();
        return (value.detach().MoveToOuterDisposeScope(), logits.detach().MoveToOuterDisposeScope());
    }
}
