using TorchSharp;
using static TorchSharp.torch;

namespace WbcNca.Model;

/// <summary>
/// The stochastic update masks of paper eq. 4: at every step each cell applies its update with
/// probability p, one Bernoulli draw per cell shared by all of its channels.
/// Masks have shape (k, B, H, W, 1) (channels last, like the state); B may be 1 to share one mask
/// sequence across a batch.
/// </summary>
public static class UpdateMask
{
    /// <summary>Draws a (k, batch, size, size, 1) float mask, 1 where a cell updates, from an explicit generator.</summary>
    public static Tensor Sample(int steps, int batch, int size, double probability, Generator generator, Device? device = null)
    {
        using var scope = NewDisposeScope();
        // Drawn on the generator's device (CPU), then moved: the same seed gives the same masks on every device.
        Tensor u = rand([steps, batch, size, size, 1], generator: generator);
        Tensor mask = u.lt(probability).to_type(ScalarType.Float32);
        if (device is not null && device.type != DeviceType.CPU) mask = mask.to(device);
        return mask.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A mask sequence fixed by <paramref name="seed"/>, shared by every image of a batch (B = 1), so that the
    /// same image always gets the same prediction whatever batch it is in.
    /// </summary>
    public static Tensor Seeded(int steps, int size, double probability, long seed, Device? device = null)
    {
        using var generator = new Generator(unchecked((ulong)seed));
        return Sample(steps, 1, size, probability, generator, device);
    }
}
