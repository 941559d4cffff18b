using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace WbcNca.Model;

/// <summary>
/// The perception of every cell (paper eq. 1–2): the cell's own state (identity) concatenated with two
/// learned depthwise 3×3 convolutions of its neighbourhood, z = [s, k₁ ∗ s, k₂ ∗ s], each convolution with
/// bias and reflect padding so that the image border is treated like the interior.
/// </summary>
public sealed class Perception : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d k1;
    private readonly Conv2d k2;

    /// <summary>Creates the two depthwise kernels for <paramref name="channels"/> channels.</summary>
    public Perception(int channels) : base(nameof(Perception))
    {
        k1 = nn.Conv2d(channels, channels, kernel_size: 3, padding: 1, padding_mode: PaddingModes.Reflect, groups: channels, bias: true);
        k2 = nn.Conv2d(channels, channels, kernel_size: 3, padding: 1, padding_mode: PaddingModes.Reflect, groups: channels, bias: true);
        RegisterComponents();
    }

    /// <summary>Perceives the state.</summary>
    /// <param name="state">Cell states, channels last: (B, H, W, n).</param>
    /// <returns>Perception vectors, channels last: (B, H, W, 3n), ordered [identity, k₁, k₂].</returns>
    public override Tensor forward(Tensor state)
    {
        using var scope = NewDisposeScope();
        Tensor s = state.permute(0, 3, 1, 2);                       // (B, n, H, W) view for the convolutions
        Tensor z = cat([s, k1.forward(s), k2.forward(s)], dim: 1);  // (B, 3n, H, W)
        return z.permute(0, 2, 3, 1).MoveToOuterDisposeScope();     // (B, H, W, 3n)
    }
}
