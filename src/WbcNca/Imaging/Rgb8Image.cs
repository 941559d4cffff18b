namespace WbcNca.Imaging;

/// <summary>
/// A decoded RGB image with 8 bits per channel, stored interleaved (R, G, B per pixel, rows top to
/// bottom), as PIL holds an "RGB" image. Resampling this form with
/// <see cref="Resampler.ResizeBicubic(Rgb8Image, int, int)"/> reproduces PIL's uint8 arithmetic exactly.
/// </summary>
public sealed class Rgb8Image
{
    /// <summary>Creates an image from interleaved RGB bytes of length 3·<paramref name="width"/>·<paramref name="height"/>.</summary>
    public Rgb8Image(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (pixels.LongLength != 3L * width * height)
            throw new ArgumentException($"expected {3L * width * height} bytes for a {width}×{height} RGB image, got {pixels.LongLength}");
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Interleaved RGB bytes, row-major: pixel (x, y) channel c is at 3·(y·Width + x) + c.</summary>
    public byte[] Pixels { get; }

    /// <summary>Value of channel <paramref name="c"/> at row <paramref name="y"/>, column <paramref name="x"/>.</summary>
    public byte this[int c, int y, int x] => Pixels[3 * (y * Width + x) + c];

    /// <summary>
    /// Converts to planar floats in [0, 1], each value byte / 255 in single precision (as
    /// torchvision's ToTensor computes it).
    /// </summary>
    public RgbImage ToRgbImage()
    {
        int plane = Width * Height;
        var planar = new float[3 * plane];
        byte[] px = Pixels;
        for (int i = 0; i < plane; i++)
        {
            planar[i] = px[3 * i] / 255f;
            planar[plane + i] = px[3 * i + 1] / 255f;
            planar[2 * plane + i] = px[3 * i + 2] / 255f;
        }
        return new RgbImage(Width, Height, planar);
    }
}
