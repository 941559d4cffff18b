namespace WbcNca.Imaging;

/// <summary>
/// Bicubic resizing that reproduces PIL's <c>Image.resize((w, h), Image.BICUBIC)</c> (Pillow's
/// Resample.c): separable convolution with the a = −0.5 cubic kernel, widened by the scale factor
/// when downscaling (antialiasing), a horizontal pass followed by a vertical pass. The aspect ratio is
/// not kept: the image is stretched to the requested size, as the reference code does. Resizing to
/// the image's own size returns an unchanged copy, as PIL does.
/// </summary>
public static class Resampler
{
    /// <summary>
    /// Resizes an 8-bit image with Pillow's fixed-point arithmetic (22-bit weights, rounding and
    /// clamping to 0…255 after each pass), giving byte-for-byte the result of PIL's uint8 resize.
    /// </summary>
    public static Rgb8Image ResizeBicubic(Rgb8Image src, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (width == src.Width && height == src.Height)
            return new Rgb8Image(width, height, (byte[])src.Pixels.Clone());

        byte[] pixels = src.Pixels;
        int inW = src.Width, inH = src.Height;
        var vert = ResampleCoefficients.Compute(inH, height);

        // Rows of the source that the vertical pass reads (Pillow resamples only those horizontally).
        int rowFirst = vert.First[0];
        int rowLast = vert.First[height - 1] + vert.Count[height - 1];
        int rows = rowLast - rowFirst;

        byte[] temp;
        int tempRowOffset;
        if (width != inW)
        {
            var horiz = ResampleCoefficients.Compute(inW, width);
            temp = new byte[3 * width * rows];
            tempRowOffset = rowFirst;
            int[] k = horiz.FixedWeights;
            for (int y = 0; y < rows; y++)
            {
                int inRow = 3 * inW * (y + rowFirst);
                int outRow = 3 * width * y;
                for (int xx = 0; xx < width; xx++)
                {
                    int xmin = horiz.First[xx], n = horiz.Count[xx], kb = xx * horiz.KernelSize;
                    int s0 = 1 << (ResampleCoefficients.PrecisionBits - 1), s1 = s0, s2 = s0;
                    for (int x = 0; x < n; x++)
                    {
                        int p = inRow + 3 * (x + xmin);
                        int w = k[kb + x];
                        s0 += pixels[p] * w;
                        s1 += pixels[p + 1] * w;
                        s2 += pixels[p + 2] * w;
                    }
                    temp[outRow + 3 * xx] = Clip8(s0);
                    temp[outRow + 3 * xx + 1] = Clip8(s1);
                    temp[outRow + 3 * xx + 2] = Clip8(s2);
                }
            }
        }
        else
        {
            temp = pixels;
            tempRowOffset = 0;
        }

        if (height == inH)
        {
            // Only the horizontal pass was needed; all rows were resampled.
            return new Rgb8Image(width, height, temp == pixels ? (byte[])pixels.Clone() : temp);
        }

        var output = new byte[3 * width * height];
        int[] kv = vert.FixedWeights;
        int stride = 3 * width;
        for (int yy = 0; yy < height; yy++)
        {
            int ymin = vert.First[yy] - tempRowOffset, n = vert.Count[yy], kb = yy * vert.KernelSize;
            int outRow = stride * yy;
            for (int i = 0; i < stride; i++)
            {
                int s = 1 << (ResampleCoefficients.PrecisionBits - 1);
                for (int y = 0; y < n; y++)
                    s += temp[(y + ymin) * stride + i] * kv[kb + y];
                output[outRow + i] = Clip8(s);
            }
        }
        return new Rgb8Image(width, height, output);
    }

    /// <summary>
    /// Resizes a float image with the same weights in double precision and no rounding between the
    /// passes (as Pillow resizes a 32-bit float image). On 8-bit content it differs from
    /// <see cref="ResizeBicubic(Rgb8Image, int, int)"/> by at most about one level (1/255): the 8-bit
    /// path rounds to whole levels after each pass and clamps to [0, 1]; this one does not clamp,
    /// so overshoot at sharp edges is kept.
    /// </summary>
    public static RgbImage ResizeBicubic(RgbImage src, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (width == src.Width && height == src.Height)
            return new RgbImage(width, height, (float[])src.Planar.Clone());

        int inW = src.Width, inH = src.Height;
        float[] input = src.Planar;
        float[] temp = input;
        if (width != inW)
        {
            var horiz = ResampleCoefficients.Compute(inW, width);
            temp = new float[3 * width * inH];
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < inH; y++)
                {
                    int inRow = (c * inH + y) * inW, outRow = (c * inH + y) * width;
                    for (int xx = 0; xx < width; xx++)
                    {
                        int xmin = horiz.First[xx], n = horiz.Count[xx], kb = xx * horiz.KernelSize;
                        double s = 0;
                        for (int x = 0; x < n; x++) s += input[inRow + x + xmin] * horiz.Weights[kb + x];
                        temp[outRow + xx] = (float)s;
                    }
                }
            }
        }
        if (height == inH) return new RgbImage(width, height, temp == input ? (float[])input.Clone() : temp);

        var vert = ResampleCoefficients.Compute(inH, height);
        var output = new float[3 * width * height];
        for (int c = 0; c < 3; c++)
        {
            for (int yy = 0; yy < height; yy++)
            {
                int ymin = vert.First[yy], n = vert.Count[yy], kb = yy * vert.KernelSize;
                int outRow = (c * height + yy) * width;
                for (int x = 0; x < width; x++)
                {
                    double s = 0;
                    for (int y = 0; y < n; y++) s += temp[(c * inH + y + ymin) * width + x] * vert.Weights[kb + y];
                    output[outRow + x] = (float)s;
                }
            }
        }
        return new RgbImage(width, height, output);
    }

    /// <summary>Pillow's clip8: drops the fractional bits and clamps to 0…255.</summary>
    private static byte Clip8(int v)
    {
        int shifted = v >> ResampleCoefficients.PrecisionBits;
        return shifted < 0 ? (byte)0 : shifted > 255 ? (byte)255 : (byte)shifted;
    }
}
