using TorchSharp;
using static TorchSharp.torch;

namespace WbcNca.Tests.Model;

/// <summary>Test models with every weight random (so the update rule's zero-initialised last layer does something).</summary>
public static class RandomWeights
{
    /// <summary>Overwrites every parameter of <paramref name="model"/> with N(0, 1)·<paramref name="scale"/> from a generator seeded with <paramref name="seed"/>.</summary>
    public static void Fill(nn.Module model, long seed, double scale)
    {
        using var g = new Generator((ulong)seed);
        using var _ = no_grad();
        foreach (var p in model.parameters()) p.copy_(randn(p.shape, generator: g) * scale);
    }
}
