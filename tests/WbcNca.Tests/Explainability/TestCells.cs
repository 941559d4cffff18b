using SkiaSharp;
using WbcNca.Imaging;

namespace WbcNca.Tests.Explainability;

/// <summary>Synthetic smear images: a violet disc (the white cell) on a pale pink background with a few red cells.</summary>
internal static class TestCells
{
    /// <summary>Writes <paramref name="image"/> as a PNG file, creating its folder.</summary>
    public static void SavePng(Rgb8Image image, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var bmp = new SKBitmap(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                bmp.SetPixel(x, y, new SKColor(image[0, y, x], image[1, y, x], image[2, y, x]));
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    public static Rgb8Image Disc(int size, int cx, int cy, int radius, int seed = 0)
    {
        var rng = new Random(seed);
        var px = new byte[3 * size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int i = 3 * (y * size + x);
                bool cell = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius;
                bool redCell = !cell && ((x / 9 + y / 9) % 3 == 0);
                (int r, int g, int b) = cell ? (95, 60, 150) : redCell ? (215, 160, 165) : (240, 215, 205);
                px[i] = (byte)Math.Clamp(r + rng.Next(-6, 7), 0, 255);
                px[i + 1] = (byte)Math.Clamp(g + rng.Next(-6, 7), 0, 255);
                px[i + 2] = (byte)Math.Clamp(b + rng.Next(-6, 7), 0, 255);
            }
        return new Rgb8Image(size, size, px);
    }

    public static bool InDisc(int x, int y, int cx, int cy, int radius) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius;
}
