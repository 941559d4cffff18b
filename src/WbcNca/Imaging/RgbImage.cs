namespace WbcNca.Imaging;

/// <summary>
/// A decoded RGB image with float values in [0, 1], stored planar (layout 3×H×W, row-major),
/// which is the layout a tensor of shape (3, H, W) takes without copying.
/// </summary>
public sealed class RgbImage
{
    /// <summary>Creates an image from planar data of length 3·<paramref name="height"/>·<paramref name="width"/>.</summary>
    public RgbImage(int width, int height, float[] planar)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (planar.Length != 3 * width * height)
            throw new ArgumentException($"expected {3 * width * height} values for a {width}×{height} RGB image, got {planar.Length}");
        Width = width;
        Height = height;
        Planar = planar;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Pixel values, planar R, G, B planes of H×W each, in [0, 1].</summary>
    public float[] Planar { get; }

    /// <summary>Value of channel <paramref name="c"/> at row <paramref name="y"/>, column <paramref name="x"/>.</summary>
    public float this[int c, int y, int x] => Planar[(c * Height + y) * Width + x];
}
