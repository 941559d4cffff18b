namespace WbcNca.Imaging;

/// <summary>
/// Bicubic filter weights for one axis, computed exactly as Pillow's <c>precompute_coeffs</c>
/// (libImaging/Resample.c): a = −0.5, support 2 scaled by the scale factor when downscaling, window
/// bounds rounded as Pillow rounds them, weights normalised to sum 1, and for 8-bit data the
/// fixed-point weights of <c>normalize_coeffs_8bpc</c> (22 fractional bits).
/// </summary>
internal sealed class ResampleCoefficients
{
    /// <summary>Fractional bits of the fixed-point weights (Pillow's PRECISION_BITS = 32 − 8 − 2).</summary>
    public const int PrecisionBits = 32 - 8 - 2;

    private ResampleCoefficients(int kernelSize, int[] first, int[] count, double[] weights)
    {
        KernelSize = kernelSize;
        First = first;
        Count = count;
        Weights = weights;
        FixedWeights = new int[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            double w = weights[i] * (1 << PrecisionBits);
            FixedWeights[i] = w < 0 ? (int)(-0.5 + w) : (int)(0.5 + w);
        }
    }

    /// <summary>Stride between the weights of consecutive output positions.</summary>
    public int KernelSize { get; }

    /// <summary>First input index used by each output position.</summary>
    public int[] First { get; }

    /// <summary>Number of input samples used by each output position.</summary>
    public int[] Count { get; }

    /// <summary>Normalised weights, <see cref="KernelSize"/> per output position.</summary>
    public double[] Weights { get; }

    /// <summary>The weights in fixed point with <see cref="PrecisionBits"/> fractional bits.</summary>
    public int[] FixedWeights { get; }

    /// <summary>Pillow's bicubic kernel (a = −0.5), with its exact order of operations.</summary>
    public static double Bicubic(double x)
    {
        const double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /// <summary>Weights for resampling <paramref name="inSize"/> samples to <paramref name="outSize"/>.</summary>
    public static ResampleCoefficients Compute(int inSize, int outSize)
    {
        const double filterSupport = 2.0;
        double scale = (double)inSize / outSize;
        double filterscale = scale < 1.0 ? 1.0 : scale;
        double support = filterSupport * filterscale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;

        var first = new int[outSize];
        var count = new int[outSize];
        var kk = new double[outSize * ksize];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            int xmin = (int)(center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int)(center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            int k = xx * ksize;
            for (int x = 0; x < xmax; x++)
            {
                double w = Bicubic((x + xmin - center + 0.5) * ss);
                kk[k + x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++)
                if (ww != 0.0) kk[k + x] /= ww;
            first[xx] = xmin;
            count[xx] = xmax;
        }
        return new ResampleCoefficients(ksize, first, count, kk);
    }
}
