namespace WbcNca.Engines;

/// <summary>How the NCA backbone is computed.</summary>
public enum NcaEngine
{
    /// <summary>The TorchSharp modules (<see cref="Model.NcaBackbone"/>): any device, autograd.</summary>
    Torch,

    /// <summary>The fused C# CPU kernels: <see cref="FusedNca"/> (forward) and <see cref="FusedBackprop"/> (training); CPU only.</summary>
    Fused,
}
