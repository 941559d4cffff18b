using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

/// <summary>
/// Synthetic blood-smear images for the cell locator: a pale background, red cells (pink discs with a paler centre) on
/// a regular grid, and white cells (a violet nucleus, optionally in lobes, inside a lilac cytoplasm), with a little
/// seeded noise.
/// </summary>
internal sealed class SyntheticSmear
{
    private readonly int width, height;
    private readonly byte[] px;
    private readonly Random rng;

    public SyntheticSmear(int width, int height, int seed = 0, (int R, int G, int B)? background = null)
    {
        this.width = width;
        this.height = height;
        px = new byte[3 * width * height];
        rng = new Random(seed);
        var (r, g, b) = background ?? (240, 222, 205);
        for (int i = 0; i < width * height; i++) { px[3 * i] = (byte)r; px[3 * i + 1] = (byte)g; px[3 * i + 2] = (byte)b; }
    }

    /// <summary>Red cells of <paramref name="diameter"/> px on a grid with spacing 1.6 diameters, skipping those that would touch <paramref name="keepClear"/>.</summary>
    public SyntheticSmear RedCells(int diameter, params (int X, int Y, int Radius)[] keepClear)
    {
        int step = (int)(1.6 * diameter), r = diameter / 2;
        for (int cy = r + 2; cy < height; cy += step)
            for (int cx = r + 2 + (cy / step % 2) * step / 2; cx < width; cx += step)
            {
                if (keepClear.Any(k => Math.Sqrt((cx - k.X) * (cx - k.X) + (cy - k.Y) * (cy - k.Y)) < r + k.Radius + 3)) continue;
                Disc(cx, cy, r, (222, 150, 158));
                Disc(cx, cy, r / 3, (232, 185, 185));
            }
        return this;
    }

    /// <summary>A white cell: cytoplasm disc of <paramref name="cellRadius"/> with a nucleus disc of <paramref name="nucleusRadius"/>.</summary>
    public SyntheticSmear WhiteCell(int cx, int cy, int nucleusRadius, int cellRadius)
    {
        Disc(cx, cy, cellRadius, (205, 185, 215));
        Disc(cx, cy, nucleusRadius, (95, 55, 150));
        return this;
    }

    /// <summary>A filled disc of one colour.</summary>
    public SyntheticSmear Disc(int cx, int cy, int radius, (int R, int G, int B) colour)
    {
        for (int y = Math.Max(0, cy - radius); y <= Math.Min(height - 1, cy + radius); y++)
            for (int x = Math.Max(0, cx - radius); x <= Math.Min(width - 1, cx + radius); x++)
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius)
                {
                    int i = 3 * (y * width + x);
                    px[i] = (byte)colour.R; px[i + 1] = (byte)colour.G; px[i + 2] = (byte)colour.B;
                }
        return this;
    }

    /// <summary>The image, with ±<paramref name="noise"/> uniform noise per channel.</summary>
    public Rgb8Image Build(int noise = 5)
    {
        var copy = (byte[])px.Clone();
        if (noise > 0)
            for (int i = 0; i < copy.Length; i++) copy[i] = (byte)Math.Clamp(copy[i] + rng.Next(-noise, noise + 1), 0, 255);
        return new Rgb8Image(width, height, copy);
    }
}
