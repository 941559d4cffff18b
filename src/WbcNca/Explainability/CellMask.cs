using WbcNca.Imaging;

namespace WbcNca.Explainability;

/// <summary>
/// A simple foreground mask of the stained white cell: Otsu's threshold on a stain signal (by default blue − green,
/// which separates the violet-blue white cell from pink red cells and the pale background in May-Grünwald-Giemsa
/// smears). Pixels whose signal is above the threshold are "inside the cell". Computed at the size of the NCA's maps.
/// </summary>
public sealed class CellMask
{
    private readonly bool[] inside;

    /// <summary>Creates a mask from row-major flags (length <paramref name="size"/>²).</summary>
    public CellMask(int size, bool[] inside, double threshold = double.NaN, StainSignal signal = StainSignal.BlueMinusGreen)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (inside.Length != size * size) throw new ArgumentException($"expected {size}×{size} flags, got {inside.Length}");
        Size = size;
        this.inside = inside;
        Threshold = threshold;
        Signal = signal;
        InsideCount = inside.Count(b => b);
    }

    /// <summary>Side of the square mask.</summary>
    public int Size { get; }

    /// <summary>The Otsu threshold on the signal (NaN for masks made from flags).</summary>
    public double Threshold { get; }

    /// <summary>The signal that was thresholded.</summary>
    public StainSignal Signal { get; }

    /// <summary>Number of pixels inside the cell.</summary>
    public int InsideCount { get; }

    /// <summary>Share of the image inside the cell: the focus a channel spread evenly over the image would get.</summary>
    public double AreaFraction => (double)InsideCount / (Size * Size);

    /// <summary>True when pixel (column <paramref name="x"/>, row <paramref name="y"/>) is inside the cell.</summary>
    public bool this[int x, int y] => inside[y * Size + x];

    /// <summary>True when the pixel at row-major index <paramref name="index"/> is inside the cell.</summary>
    public bool IsInside(int index) => inside[index];

    /// <summary>
    /// Thresholds <paramref name="signal"/> of <paramref name="image"/> with Otsu's method after resizing the image to
    /// <paramref name="size"/>×<paramref name="size"/> (bicubic, as the model's input). With <paramref name="fillHoles"/>, pixels
    /// enclosed by the mask (not connected to the image border through background) count as inside — the pale cytoplasm
    /// between the lobes of a neutrophil's nucleus, for instance.
    /// </summary>
    public static CellMask FromImage(Rgb8Image image, int size, StainSignal signal = StainSignal.BlueMinusGreen, bool fillHoles = true)
    {
        ArgumentNullException.ThrowIfNull(image);
        Rgb8Image sized = image.Width == size && image.Height == size ? image : Resampler.ResizeBicubic(image, size, size);
        float[] values = SignalOf(sized, signal);
        double t = OtsuThreshold(values);
        var flags = new bool[values.Length];
        for (int i = 0; i < values.Length; i++) flags[i] = values[i] > t;
        if (fillHoles) FillHoles(flags, size);
        return new CellMask(size, flags, t, signal);
    }

    /// <summary>Sets every background pixel that cannot reach the border through background (4-connected) to inside.</summary>
    public static void FillHoles(bool[] flags, int size) => CellLocator.FillHoles(flags, size, size);

    /// <summary>The per-pixel signal of an image, row-major.</summary>
    public static float[] SignalOf(Rgb8Image image, StainSignal signal)
    {
        ArgumentNullException.ThrowIfNull(image);
        int count = image.Width * image.Height;
        var v = new float[count];
        byte[] px = image.Pixels;
        for (int i = 0; i < count; i++)
        {
            float r = px[3 * i] / 255f, g = px[3 * i + 1] / 255f, b = px[3 * i + 2] / 255f;
            v[i] = signal switch
            {
                StainSignal.BlueMinusGreen => b - g,
                StainSignal.InverseGreen => 1 - g,
                StainSignal.Saturation => Math.Max(r, Math.Max(g, b)) - Math.Min(r, Math.Min(g, b)),
                _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "unknown stain signal"),
            };
        }
        return v;
    }

    /// <summary>Otsu's threshold (<see cref="CellLocator.Otsu"/>): values above it form the foreground.</summary>
    public static double OtsuThreshold(ReadOnlySpan<float> values) => CellLocator.Otsu(values);
}
