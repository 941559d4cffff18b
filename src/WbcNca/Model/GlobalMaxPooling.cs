using TorchSharp;
using static TorchSharp.torch;

namespace WbcNca.Model;

/// <summary>
/// Pooling of the final NCA state into one vector per image (paper eq. 5): the maximum of every channel
/// over all cells, h_c = max_{x,y} s_{x,y,c}, colour channels included.
/// </summary>
public sealed class GlobalMaxPooling : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the (parameter-free) pooling.</summary>
    public GlobalMaxPooling() : base(nameof(GlobalMaxPooling)) => RegisterComponents();

    /// <summary>Pools (B, H, W, n) states into (B, n) vectors.</summary>
    public override Tensor forward(Tensor state) => state.amax([1, 2]);
}
