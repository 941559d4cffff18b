namespace WbcNca.Model;

/// <summary>
/// Counts multiply-accumulates (MACs) per image from layer shapes. One MAC is one weight multiplied into one output
/// and added: a convolution costs (weight elements) × (output positions), a transposed convolution
/// (weight elements) × (input positions), a linear layer (weight elements) × (rows it is applied to).
/// Not counted (they are not multiply-accumulates of a weight, or fold into the preceding layer at inference):
/// biases, batch normalisation, activations, pooling, residual and state additions, the NCA's update masking, and
/// the comparisons of a decision forest.
/// </summary>
public static class MacCounter
{
    /// <summary>Output side of a convolution or pooling window: ⌊(size + 2·padding − kernel) / stride⌋ + 1.</summary>
    public static int ConvOutput(int size, int kernel, int stride, int padding)
    {
        if (size + 2 * padding < kernel) throw new ArgumentException($"a {kernel}-wide window does not fit a side of {size} with padding {padding}");
        return (size + 2 * padding - kernel) / stride + 1;
    }

    /// <summary>Output side of a transposed convolution: (size − 1)·stride − 2·padding + kernel.</summary>
    public static int ConvTransposeOutput(int size, int kernel, int stride, int padding) => (size - 1) * stride - 2 * padding + kernel;

    /// <summary>
    /// MACs of a 2-D convolution: every output value of <paramref name="outChannels"/> channels at
    /// <paramref name="outHeight"/>×<paramref name="outWidth"/> positions sums (inChannels / groups)·kh·kw products.
    /// </summary>
    public static long Conv2d(int inChannels, int outChannels, int kernelHeight, int kernelWidth, int groups, int outHeight, int outWidth)
    {
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"groups {groups} must divide {inChannels} input and {outChannels} output channels");
        return (long)outChannels * outHeight * outWidth * (inChannels / groups) * kernelHeight * kernelWidth;
    }

    /// <summary>MACs of a convolution with a weight of shape (out, in / groups, kh, kw): weight elements × output positions.</summary>
    public static long Conv2d(IReadOnlyList<long> weightShape, int outHeight, int outWidth)
    {
        if (weightShape.Count != 4) throw new ArgumentException($"a conv2d weight has 4 dimensions, got {weightShape.Count}");
        return Elements(weightShape) * outHeight * outWidth;
    }

    /// <summary>MACs of a transposed convolution with a weight of shape (in, out / groups, kh, kw): every input value is scattered through its kernel.</summary>
    public static long ConvTranspose2d(IReadOnlyList<long> weightShape, int inHeight, int inWidth)
    {
        if (weightShape.Count != 4) throw new ArgumentException($"a conv-transpose2d weight has 4 dimensions, got {weightShape.Count}");
        return Elements(weightShape) * inHeight * inWidth;
    }

    /// <summary>MACs of a linear layer <paramref name="inFeatures"/> → <paramref name="outFeatures"/> applied to <paramref name="rows"/> vectors.</summary>
    public static long Linear(int inFeatures, int outFeatures, long rows = 1) => (long)inFeatures * outFeatures * rows;

    /// <summary>MACs of a linear layer with a weight of shape (out, in) applied to <paramref name="rows"/> vectors.</summary>
    public static long Linear(IReadOnlyList<long> weightShape, long rows = 1)
    {
        if (weightShape.Count != 2) throw new ArgumentException($"a linear weight has 2 dimensions, got {weightShape.Count}");
        return Elements(weightShape) * rows;
    }

    private static long Elements(IReadOnlyList<long> shape)
    {
        long n = 1;
        foreach (long d in shape) n *= d;
        return n;
    }
}
