using TorchSharp;

namespace WbcNca.Engines;

/// <summary>Choice of the inference engine for a device.</summary>
public static class NcaEngines
{
    /// <summary>
    /// The engine to use on <paramref name="device"/>: the fused C# kernel on the CPU (several times faster there, see
    /// docs/performance.md) unless <paramref name="preferTorch"/>; libtorch on any other device.
    /// </summary>
    public static NcaEngine For(torch.Device? device, bool preferTorch = false) =>
        On(preferTorch ? NcaEngine.Torch : NcaEngine.Fused, device ?? torch.CPU);

    /// <summary>
    /// The engine that runs when <paramref name="engine"/> is asked for on <paramref name="device"/>: the fused kernel runs
    /// on the CPU only, so elsewhere libtorch stands in (as <c>--engine fused</c> does with <c>--device cuda</c>).
    /// </summary>
    public static NcaEngine On(NcaEngine engine, torch.Device device) =>
        engine == NcaEngine.Fused && device.type == DeviceType.CPU ? NcaEngine.Fused : NcaEngine.Torch;
}
