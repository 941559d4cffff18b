namespace WbcNca.Engines;

/// <summary>How the NCA backbone is computed.</summary>
public enum NcaEngine
{
    /// <summary>The TorchSharp modules (<see cref="Model.NcaBackbone"/>): any device, autograd.</summary>
    Torch,

    /// <summary>The fused C# CPU kernel (<see cref="FusedNca"/>): CPU only, inference.</summary>
    Fused,
}
