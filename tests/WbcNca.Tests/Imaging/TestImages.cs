using System.Runtime.InteropServices;
using BitMiracle.LibTiff.Classic;
using SkiaSharp;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

/// <summary>Builds small images in code: deterministic pixel patterns and their PNG, JPEG, BMP and TIFF encodings.</summary>
internal static class TestImages
{
    /// <summary>The pattern of tools/pil_resize_reference.py: R diagonal ramp, G quadratic, B 8-px checkerboard.</summary>
    public static Rgb8Image Pattern(int width, int height)
    {
        var px = new byte[3 * width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = 3 * (y * width + x);
                px[i] = (byte)((x * 7 + y * 13) % 256);
                px[i + 1] = (byte)((x * x + 3 * y * y) % 256);
                px[i + 2] = (byte)(((x / 8) + (y / 8)) % 2 == 1 ? 255 : 0);
            }
        return new Rgb8Image(width, height, px);
    }

    /// <summary>Interleaved RGBA bytes: the RGB of <paramref name="rgb"/> with alpha from <paramref name="alpha"/>(x, y).</summary>
    public static byte[] WithAlpha(Rgb8Image rgb, Func<int, int, byte> alpha)
    {
        var rgba = new byte[4 * rgb.Width * rgb.Height];
        for (int y = 0; y < rgb.Height; y++)
            for (int x = 0; x < rgb.Width; x++)
            {
                int p = y * rgb.Width + x;
                rgba[4 * p] = rgb.Pixels[3 * p];
                rgba[4 * p + 1] = rgb.Pixels[3 * p + 1];
                rgba[4 * p + 2] = rgb.Pixels[3 * p + 2];
                rgba[4 * p + 3] = alpha(x, y);
            }
        return rgba;
    }

    /// <summary>Encodes RGBA bytes (unpremultiplied) with SkiaSharp.</summary>
    public static byte[] EncodeSkia(int width, int height, byte[] rgba, SKEncodedImageFormat format, int quality = 100, bool opaque = false)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        GCHandle pin = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, pin.AddrOfPinnedObject(), 4 * width);
            using SKData data = pixmap.Encode(format, quality) ?? throw new InvalidOperationException($"Skia cannot encode {format}");
            return data.ToArray();
        }
        finally
        {
            pin.Free();
        }
    }

    /// <summary>PNG of an RGB image (lossless).</summary>
    public static byte[] Png(Rgb8Image image) => EncodeSkia(image.Width, image.Height, WithAlpha(image, (_, _) => 255), SKEncodedImageFormat.Png);

    /// <summary>JPEG of an RGB image.</summary>
    public static byte[] Jpeg(Rgb8Image image, int quality = 95) => EncodeSkia(image.Width, image.Height, WithAlpha(image, (_, _) => 255), SKEncodedImageFormat.Jpeg, quality, opaque: true);

    /// <summary>24-bit uncompressed bottom-up BMP, written byte by byte.</summary>
    public static byte[] Bmp(Rgb8Image image)
    {
        int rowSize = (3 * image.Width + 3) / 4 * 4;
        int imageSize = rowSize * image.Height;
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        w.Write((byte)'B'); w.Write((byte)'M');
        w.Write(54 + imageSize); w.Write(0); w.Write(54);
        w.Write(40); w.Write(image.Width); w.Write(image.Height);
        w.Write((short)1); w.Write((short)24); w.Write(0); w.Write(imageSize);
        w.Write(2835); w.Write(2835); w.Write(0); w.Write(0);
        for (int y = image.Height - 1; y >= 0; y--)
        {
            for (int x = 0; x < image.Width; x++)
            {
                w.Write(image[2, y, x]); w.Write(image[1, y, x]); w.Write(image[0, y, x]);
            }
            for (int p = 3 * image.Width; p < rowSize; p++) w.Write((byte)0);
        }
        w.Flush();
        return ms.ToArray();
    }

    /// <summary>
    /// A stripped, uncompressed TIFF written with LibTiff.NET. <paramref name="samples"/> holds the
    /// interleaved samples (bytes, or 16-bit values in little-endian order when <paramref name="bits"/> is 16).
    /// </summary>
    public static byte[] Tiff(int width, int height, int spp, int bits, Photometric photometric, byte[] samples,
        bool unassociatedAlpha = false, Compression compression = Compression.NONE, ushort[][]? colormap = null, int tile = 0)
    {
        var ms = new MemoryStream();
        using (Tiff t = BitMiracle.LibTiff.Classic.Tiff.ClientOpen("test", "w", ms, new TiffStream()))
        {
            t.SetField(TiffTag.IMAGEWIDTH, width);
            t.SetField(TiffTag.IMAGELENGTH, height);
            t.SetField(TiffTag.SAMPLESPERPIXEL, spp);
            t.SetField(TiffTag.BITSPERSAMPLE, bits);
            t.SetField(TiffTag.PHOTOMETRIC, photometric);
            t.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            t.SetField(TiffTag.COMPRESSION, compression);
            if (unassociatedAlpha) t.SetField(TiffTag.EXTRASAMPLES, 1, new short[] { (short)ExtraSample.UNASSALPHA });
            if (colormap is not null) t.SetField(TiffTag.COLORMAP, colormap[0], colormap[1], colormap[2]);
            int rowBytes = width * spp * bits / 8;
            if (tile > 0)
            {
                t.SetField(TiffTag.TILEWIDTH, tile);
                t.SetField(TiffTag.TILELENGTH, tile);
                int pixelBytes = spp * bits / 8;
                var buf = new byte[tile * tile * pixelBytes];
                for (int ty = 0; ty < height; ty += tile)
                    for (int tx = 0; tx < width; tx += tile)
                    {
                        Array.Clear(buf);
                        for (int y = 0; y < tile && ty + y < height; y++)
                            for (int x = 0; x < tile && tx + x < width; x++)
                                Array.Copy(samples, (ty + y) * rowBytes + (tx + x) * pixelBytes, buf, (y * tile + x) * pixelBytes, pixelBytes);
                        t.WriteTile(buf, tx, ty, 0, 0);
                    }
            }
            else
            {
                t.SetField(TiffTag.ROWSPERSTRIP, height);
                var row = new byte[rowBytes];
                for (int y = 0; y < height; y++)
                {
                    Array.Copy(samples, y * rowBytes, row, 0, rowBytes);
                    t.WriteScanline(row, y);
                }
            }
        }
        return ms.ToArray();
    }

    /// <summary>A PNG signature plus an IHDR chunk (valid CRC) declaring <paramref name="width"/>×<paramref name="height"/> RGB, then an empty IDAT and IEND.</summary>
    public static byte[] PngHeaderOnly(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        PngWriter.BigEndian(ihdr, 0, (uint)width);
        PngWriter.BigEndian(ihdr, 4, (uint)height);
        ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
        PngWriter.Chunk(ms, "IHDR", ihdr);
        PngWriter.Chunk(ms, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        PngWriter.Chunk(ms, "IEND", []);
        return ms.ToArray();
    }
}

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wbcnca-imaging-" + Guid.NewGuid().ToString("N"));

    /// <summary>Writes <paramref name="bytes"/> to a file of that name in the folder and returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string p = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
