using System.Runtime.InteropServices;
using SkiaSharp;

namespace WbcNca.Imaging;

/// <summary>
/// Writes decoded images as PNG: the web page's previews (a browser cannot show Matek-19's TIFFs) and the model's
/// input view.
/// </summary>
public static class PngEncoder
{
    /// <summary>The image as PNG bytes, pixel for pixel.</summary>
    public static byte[] Encode(Rgb8Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int n = image.Width * image.Height;
        var rgba = new byte[4 * n];
        byte[] px = image.Pixels;
        for (int i = 0; i < n; i++)
        {
            rgba[4 * i] = px[3 * i];
            rgba[4 * i + 1] = px[3 * i + 1];
            rgba[4 * i + 2] = px[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }

    /// <summary>
    /// A PNG preview: the image scaled down (bicubic, aspect kept) so that its longer side is at most
    /// <paramref name="maxSide"/> pixels; smaller images are left as they are.
    /// </summary>
    public static byte[] Preview(Rgb8Image image, int maxSide = 256)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        int longer = Math.Max(image.Width, image.Height);
        if (longer <= maxSide) return Encode(image);
        double scale = (double)maxSide / longer;
        int w = Math.Max(1, (int)Math.Round(image.Width * scale)), h = Math.Max(1, (int)Math.Round(image.Height * scale));
        return Encode(Resampler.ResizeBicubic(image, w, h));
    }

    /// <summary>The PNG as a <c>data:image/png;base64,…</c> URL, for an <c>img</c> element.</summary>
    public static string DataUrl(byte[] png) => "data:image/png;base64," + Convert.ToBase64String(png);
}
