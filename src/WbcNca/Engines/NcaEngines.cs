using TorchSharp;
using WbcNca.Model;

namespace WbcNca.Engines;

/// <summary>
/// The one rule that picks how a model runs: an NCA backbone runs on the fused C# kernels on the CPU (several times
/// faster there, see docs/performance.md) unless libtorch is asked for; on any other device, and for the baselines,
/// libtorch runs. Training, evaluation, prediction and the server all ask here.
/// </summary>
public static class NcaEngines
{
    /// <summary>
    /// The engine that runs when <paramref name="requested"/> is asked for (null: the default, fused) on
    /// <paramref name="device"/> (null: the CPU): the fused kernels run on the CPU only, so elsewhere libtorch stands in
    /// (as <c>--engine fused</c> does with <c>--device cuda</c>).
    /// </summary>
    public static NcaEngine Resolve(NcaEngine? requested, torch.Device? device) =>
        (requested ?? NcaEngine.Fused) == NcaEngine.Fused && (device ?? torch.CPU).type == DeviceType.CPU ? NcaEngine.Fused : NcaEngine.Torch;

    /// <summary>
    /// The NCA that the fused kernels run for <paramref name="model"/>, or null when the model runs on libtorch
    /// (a baseline, a device other than the CPU, or <see cref="NcaEngine.Torch"/> asked for).
    /// </summary>
    public static NcaClassifier? FusedClassifier(ICellClassifier model, NcaEngine? requested, torch.Device? device) =>
        Resolve(requested, device) == NcaEngine.Fused && model is NcaCellClassifier nca ? nca.Classifier : null;

    /// <summary>
    /// The pooled state of an NCA (the input of its head, (B, n)): the steps on the fused kernels when
    /// <paramref name="fused"/> is given, on libtorch otherwise, then the max over the image. Prediction and evaluation
    /// ask here when they need the features as well as the logits (feature distance).
    /// </summary>
    public static torch.Tensor PooledState(NcaClassifier model, FusedNca? fused, torch.Tensor images, torch.Tensor? masks) =>
        model.Pool(fused is null ? model.Backbone.forward(images, masks) : fused.Forward(images, masks));
}
