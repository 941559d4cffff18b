using BitMiracle.LibTiff.Classic;
using WbcNca.Imaging;

namespace WbcNca.Tests.Imaging;

/// <summary>
/// The files labs actually produce, made in code: unusual but valid layouts (grayscale, 16-bit, palette, alpha, CMYK,
/// 1×1, a wrong extension) that must load with the right pixels, and broken or hostile files (empty, text, truncated
/// in each format, decompression bombs declaring huge sizes in each format) that must be rejected with one line
/// naming the file. Each case is a file name (its extension is part of the case) and its bytes.
/// </summary>
internal static class BadImageCorpus
{
    /// <summary>One file of the corpus.</summary>
    /// <param name="Name">File name, with the extension the case needs.</param>
    /// <param name="Bytes">Content.</param>
    /// <param name="Expected">For a file that must load: the pixels it must decode to; null for one that must be rejected.</param>
    /// <param name="Tolerance">Largest allowed difference per sample (lossy formats, 16-bit reduction).</param>
    /// <param name="Rejection">For a file that must be rejected: a part of the message.</param>
    public sealed record Case(string Name, byte[] Bytes, Rgb8Image? Expected, int Tolerance = 0, string? Rejection = null)
    {
        public bool MustLoad => Expected is not null;
    }

    private static readonly Lazy<IReadOnlyList<Case>> Cases = new(Build);

    /// <summary>Every case.</summary>
    public static IReadOnlyList<Case> All => Cases.Value;

    /// <summary>The case of that name.</summary>
    public static Case Get(string name) => All.Single(c => c.Name == name);

    /// <summary>Case names, as xunit member data.</summary>
    public static TheoryData<string> Names(bool mustLoad)
    {
        var data = new TheoryData<string>();
        foreach (Case c in All) if (c.MustLoad == mustLoad) data.Add(c.Name);
        return data;
    }

    /// <summary>Writes every case into <paramref name="folder"/> and returns the paths.</summary>
    public static List<string> WriteAll(string folder)
    {
        Directory.CreateDirectory(folder);
        return All.Select(c =>
        {
            string p = Path.Combine(folder, c.Name);
            File.WriteAllBytes(p, c.Bytes);
            return p;
        }).ToList();
    }

    private static IReadOnlyList<Case> Build()
    {
        const int w = 12, h = 10;
        Rgb8Image pattern = TestImages.Pattern(w, h);
        byte[] gray = Enumerable.Range(0, w * h).Select(i => (byte)(i * 2 + 7)).ToArray();
        var list = new List<Case>();

        // --- Valid but unusual: must load with these pixels. ---
        list.Add(new("gray8.png", PngWriter.Encode(w, h, PngWriter.ColorType.Gray, 8, gray), Gray(w, h, gray)));
        byte[] gray16 = gray.SelectMany(v => new[] { v, (byte)(255 - v) }).ToArray();           // big-endian: high byte first
        list.Add(new("gray16.png", PngWriter.Encode(w, h, PngWriter.ColorType.Gray, 16, gray16), Gray(w, h, gray), Tolerance: 1));
        byte[] rgb16 = pattern.Pixels.SelectMany(v => new[] { v, (byte)(v ^ 0x5A) }).ToArray();
        list.Add(new("rgb16.png", PngWriter.Encode(w, h, PngWriter.ColorType.Rgb, 16, rgb16), pattern, Tolerance: 1));
        byte[] palette = [200, 30, 40, 20, 180, 60, 10, 20, 230, 250, 250, 250];
        byte[] indices = Enumerable.Range(0, w * h).Select(i => (byte)((i / 3 + i / w) % 4)).ToArray();
        Rgb8Image paletted = FromPalette(w, h, indices, palette);
        list.Add(new("palette.png", PngWriter.Encode(w, h, PngWriter.ColorType.Palette, 8, indices, palette), paletted));
        list.Add(new("palette-transparent.png", PngWriter.Encode(w, h, PngWriter.ColorType.Palette, 8, indices, palette, transparency: [0, 128, 255, 40]), paletted));
        byte[] ga = gray.SelectMany(v => new[] { v, (byte)(v / 2) }).ToArray();
        list.Add(new("gray-alpha.png", PngWriter.Encode(w, h, PngWriter.ColorType.GrayAlpha, 8, ga), Gray(w, h, gray)));
        list.Add(new("rgba.png", PngWriter.Encode(w, h, PngWriter.ColorType.Rgba, 8, TestImages.WithAlpha(pattern, (x, y) => (byte)(x * 20 + y))), pattern));
        Rgb8Image onePixel = new(1, 1, [180, 90, 200]);
        list.Add(new("one-pixel.png", TestImages.Png(onePixel), onePixel));
        list.Add(new("one-pixel.bmp", TestImages.Bmp(onePixel), onePixel));
        list.Add(new("one-pixel.tif", TestImages.Tiff(1, 1, 3, 8, Photometric.RGB, onePixel.Pixels), onePixel));
        list.Add(new("one-pixel.jpg", FlatJpeg.Encode(1, 1, [77]), Flat(1, 1, 77, 77, 77), Tolerance: 1));
        list.Add(new("gray.jpg", FlatJpeg.Encode(w, h, [77]), Flat(w, h, 77, 77, 77), Tolerance: 1));
        // Adobe CMYK: stored values are inverted ink, so RGB = stored colour · stored black / 255.
        byte[] cmyk = [215, 155, 245, 225];
        list.Add(new("cmyk.jpg", FlatJpeg.Encode(w, h, cmyk, adobeCmyk: true),
            Flat(w, h, (byte)Math.Round(215 * 225 / 255.0), (byte)Math.Round(155 * 225 / 255.0), (byte)Math.Round(245 * 225 / 255.0)), Tolerance: 2));
        byte[] tiff16 = pattern.Pixels.SelectMany(v => new[] { (byte)(v ^ 0x33), v }).ToArray();  // little-endian: high byte second
        list.Add(new("rgb16.tif", TestImages.Tiff(w, h, 3, 16, Photometric.RGB, tiff16), pattern));
        list.Add(new("gray8.tif", TestImages.Tiff(w, h, 1, 8, Photometric.MINISBLACK, gray), Gray(w, h, gray)));
        list.Add(new("rgba.tif", TestImages.Tiff(w, h, 4, 8, Photometric.RGB, TestImages.WithAlpha(pattern, (x, _) => (byte)(x * 20)), unassociatedAlpha: true), pattern));
        ushort[][] map = [[.. palette.Where((_, i) => i % 3 == 0).Select(v => (ushort)(v * 257)), .. new ushort[252]],
                          [.. palette.Where((_, i) => i % 3 == 1).Select(v => (ushort)(v * 257)), .. new ushort[252]],
                          [.. palette.Where((_, i) => i % 3 == 2).Select(v => (ushort)(v * 257)), .. new ushort[252]]];
        list.Add(new("palette.tif", TestImages.Tiff(w, h, 1, 8, Photometric.PALETTE, indices, colormap: map), paletted));
        list.Add(new("png-named.jpg", TestImages.Png(pattern), pattern));
        list.Add(new("bmp-named.tiff", TestImages.Bmp(pattern), pattern));

        // --- Broken or hostile: must be rejected with one line naming the file. ---
        list.Add(new("empty.png", [], null, Rejection: "empty file (0 bytes)"));
        list.Add(new("text-named.jpg", "Patient 17, smear 3: see attached\n"u8.ToArray(), null, Rejection: "not an image (unknown format"));
        list.Add(new("gif-named.png", [.. "GIF89a"u8, 1, 0, 1, 0, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3B], null, Rejection: "not an image (unknown format"));
        byte[] png = TestImages.Png(pattern), jpg = TestImages.Jpeg(TestImages.Pattern(40, 30)), bmp = TestImages.Bmp(pattern);
        byte[] tif = TestImages.Tiff(w, h, 3, 8, Photometric.RGB, pattern.Pixels);
        list.Add(new("truncated.png", png[..(png.Length / 2)], null, Rejection: "truncated or corrupt PNG"));
        list.Add(new("truncated-header.png", png[..20], null, Rejection: "truncated or corrupt PNG"));
        list.Add(new("truncated.jpg", jpg[..(jpg.Length / 2)], null, Rejection: "truncated or corrupt JPEG"));
        list.Add(new("truncated-header.jpg", jpg[..40], null, Rejection: "truncated or corrupt JPEG"));
        list.Add(new("truncated.bmp", bmp[..(bmp.Length / 3)], null, Rejection: "truncated or corrupt BMP"));
        list.Add(new("truncated.tif", tif[..(tif.Length - 60)], null, Rejection: "truncated or corrupt TIFF"));
        list.Add(new("truncated-header.tif", tif[..6], null, Rejection: "truncated or corrupt TIFF"));
        list.Add(new("bomb.png", TestImages.PngHeaderOnly(100_000, 100_000), null, Rejection: "image too large: PNG declares 100000×100000 pixels"));
        list.Add(new("bomb.jpg", JpegDeclaring(FlatJpeg.Encode(16, 16, [90, 128, 128]), 65_000, 65_000), null, Rejection: "image too large: JPEG declares 65000×65000 pixels"));
        list.Add(new("bomb.bmp", BmpDeclaring(bmp, 100_000, 100_000), null, Rejection: "image too large: BMP declares 100000×100000 pixels"));
        list.Add(new("bomb.tif", TiffDeclaring(tif, 100_000, 100_000), null, Rejection: "image too large: TIFF declares 100000×100000 pixels"));
        // A tag declaring two billion values in a file of a few kilobytes (LibTiff.NET would allocate 4 GB for it).
        list.Add(new("tag-bomb.tif", TiffTagCount(TestImages.Tiff(w, h, 3, 8, Photometric.RGB, pattern.Pixels, compression: Compression.LZW), 277, 0x7FFF0001), null,
            Rejection: "truncated or corrupt TIFF (tag 277 declares 2147418113 values, more than the file's"));
        return list;
    }

    private static Rgb8Image Gray(int w, int h, byte[] gray) => new(w, h, gray.SelectMany(v => new[] { v, v, v }).ToArray());

    private static Rgb8Image Flat(int w, int h, byte r, byte g, byte b) =>
        new(w, h, Enumerable.Range(0, w * h).SelectMany(_ => new[] { r, g, b }).ToArray());

    private static Rgb8Image FromPalette(int w, int h, byte[] indices, byte[] palette) =>
        new(w, h, indices.SelectMany(i => new[] { palette[3 * i], palette[3 * i + 1], palette[3 * i + 2] }).ToArray());

    /// <summary>The JPEG with its SOF's declared height and width replaced.</summary>
    private static byte[] JpegDeclaring(byte[] jpeg, int width, int height)
    {
        byte[] b = (byte[])jpeg.Clone();
        int at = FlatJpeg.SizeFieldOffset(b);
        b[at] = (byte)(height >> 8); b[at + 1] = (byte)height; b[at + 2] = (byte)(width >> 8); b[at + 3] = (byte)width;
        return b;
    }

    /// <summary>The BMP with its header's declared width and height replaced (the pixel data stays small).</summary>
    private static byte[] BmpDeclaring(byte[] bmp, int width, int height)
    {
        byte[] b = (byte[])bmp.Clone();
        BitConverter.TryWriteBytes(b.AsSpan(18), width);
        BitConverter.TryWriteBytes(b.AsSpan(22), height);
        return b;
    }

    /// <summary>The little-endian TIFF with the value count of <paramref name="tag"/> in its first directory replaced.</summary>
    private static byte[] TiffTagCount(byte[] tiff, int tag, uint count)
    {
        byte[] b = (byte[])tiff.Clone();
        int ifd = BitConverter.ToInt32(b, 4);
        for (int e = 0; e < BitConverter.ToUInt16(b, ifd); e++)
        {
            int at = ifd + 2 + 12 * e;
            if (BitConverter.ToUInt16(b, at) == tag) BitConverter.TryWriteBytes(b.AsSpan(at + 4), count);
        }
        return b;
    }

    /// <summary>The little-endian TIFF with its first directory's ImageWidth and ImageLength replaced.</summary>
    private static byte[] TiffDeclaring(byte[] tiff, int width, int height)
    {
        byte[] b = (byte[])tiff.Clone();
        if (b[0] != 'I') throw new ArgumentException("expected a little-endian TIFF");
        int ifd = BitConverter.ToInt32(b, 4);
        int count = BitConverter.ToUInt16(b, ifd);
        for (int e = 0; e < count; e++)
        {
            int at = ifd + 2 + 12 * e;
            int tag = BitConverter.ToUInt16(b, at), type = BitConverter.ToUInt16(b, at + 2);
            if (tag is not (256 or 257)) continue;
            int value = tag == 256 ? width : height;
            if (type == 4) BitConverter.TryWriteBytes(b.AsSpan(at + 8), value);
            else
            {
                // SHORT: widen the entry to LONG, which the value field holds in place.
                BitConverter.TryWriteBytes(b.AsSpan(at + 2), (ushort)4);
                BitConverter.TryWriteBytes(b.AsSpan(at + 8), value);
            }
        }
        return b;
    }
}
