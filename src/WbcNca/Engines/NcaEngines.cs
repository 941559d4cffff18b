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
        preferTorch || (device is not null && device.type != DeviceType.CPU) ? NcaEngine.Torch : NcaEngine.Fused;
}
