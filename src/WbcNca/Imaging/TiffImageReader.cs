using BitMiracle.LibTiff.Classic;

namespace WbcNca.Imaging;

/// <summary>
/// Decodes the first page of a TIFF with LibTiff.NET. Stripped 8- and 16-bit RGB(A) and grayscale
/// images (contiguous or planar) are read sample by sample, so alpha is dropped without being applied;
/// other layouts (palette, bilevel, YCbCr, tiled, …) go through libtiff's RGBA interface, which
/// premultiplies unassociated alpha (irrelevant for opaque images such as Matek-19's).
/// </summary>
internal static class TiffImageReader
{
    static TiffImageReader() => Tiff.SetErrorHandler(TiffMessageCollector.Instance);

    /// <summary>Decodes <paramref name="data"/> (already recognised as TIFF) to 8-bit RGB.</summary>
    public static Rgb8Image Read(byte[] data, string sourceName, ImageDecoderOptions options)
    {
        TiffDirectoryCheck.Check(data, sourceName);
        TiffMessageCollector.Reset();
        using var stream = new MemoryStream(data, writable: false);
        using Tiff? tif = Tiff.ClientOpen("image", "r", stream, new TiffStream());
        if (tif is null)
            throw new ImageLoadException(sourceName, $"truncated or corrupt TIFF{TiffMessageCollector.Detail()}");

        int width = GetInt(tif, TiffTag.IMAGEWIDTH, -1);
        int height = GetInt(tif, TiffTag.IMAGELENGTH, -1);
        ImageDecoder.CheckSize(sourceName, ImageFormat.Tiff, width, height, options);

        int bits = GetInt(tif, TiffTag.BITSPERSAMPLE, 1);
        int spp = GetInt(tif, TiffTag.SAMPLESPERPIXEL, 1);
        int sampleFormat = GetInt(tif, TiffTag.SAMPLEFORMAT, (int)SampleFormat.UINT);
        var photometric = (Photometric)GetInt(tif, TiffTag.PHOTOMETRIC, -1);
        var planar = (PlanarConfig)GetInt(tif, TiffTag.PLANARCONFIG, (int)PlanarConfig.CONTIG);

        bool direct = !tif.IsTiled()
            && (bits == 8 || bits == 16)
            && sampleFormat == (int)SampleFormat.UINT
            && ((photometric == Photometric.RGB && spp >= 3)
                || ((photometric == Photometric.MINISBLACK || photometric == Photometric.MINISWHITE) && spp >= 1));

        Rgb8Image image = direct
            ? ReadScanlines(tif, sourceName, width, height, bits, spp, photometric, planar)
            : ReadRgba(tif, sourceName, width, height);
        return image;
    }

    private static Rgb8Image ReadScanlines(Tiff tif, string sourceName, int width, int height, int bits, int spp, Photometric photometric, PlanarConfig planar)
    {
        int colors = photometric == Photometric.RGB ? 3 : 1;
        bool invert = photometric == Photometric.MINISWHITE;
        int bytesPerSample = bits / 8;
        bool separate = planar == PlanarConfig.SEPARATE && spp > 1;
        int samplesPerRow = separate ? width : width * spp;
        int needed = samplesPerRow * bytesPerSample;
        int scanline = tif.ScanlineSize();
        if (scanline < needed)
            throw new ImageLoadException(sourceName, "corrupt TIFF (scanline shorter than the declared width)");
        byte[] line = new byte[scanline];
        byte[] rgb = new byte[3 * width * height];

        for (int plane = 0; plane < (separate ? colors : 1); plane++)
        {
            for (int y = 0; y < height; y++)
            {
                if (!tif.ReadScanline(line, y, (short)plane))
                    throw new ImageLoadException(sourceName, $"truncated or corrupt TIFF (cannot read row {y}){TiffMessageCollector.Detail()}");
                int outRow = 3 * width * y;
                for (int x = 0; x < width; x++)
                {
                    for (int c = 0; c < (separate ? 1 : colors); c++)
                    {
                        int sampleIndex = separate ? x : x * spp + c;
                        // libtiff returns 16-bit samples in host (little-endian) order; keep the high byte.
                        byte v = bytesPerSample == 1 ? line[sampleIndex] : line[2 * sampleIndex + 1];
                        if (invert) v = (byte)(255 - v);
                        int channel = separate ? plane : c;
                        if (colors == 1)
                        {
                            rgb[outRow + 3 * x] = v;
                            rgb[outRow + 3 * x + 1] = v;
                            rgb[outRow + 3 * x + 2] = v;
                        }
                        else
                        {
                            rgb[outRow + 3 * x + channel] = v;
                        }
                    }
                }
            }
        }
        return new Rgb8Image(width, height, rgb);
    }

    private static Rgb8Image ReadRgba(Tiff tif, string sourceName, int width, int height)
    {
        int[] raster = new int[checked(width * height)];
        if (!tif.ReadRGBAImageOriented(width, height, raster, Orientation.TOPLEFT, true))
        {
            string detail = TiffMessageCollector.Detail();
            throw new ImageLoadException(sourceName, detail.Length > 0
                ? $"unsupported or corrupt TIFF{detail}"
                : "unsupported or corrupt TIFF");
        }
        byte[] rgb = new byte[3 * width * height];
        for (int i = 0; i < raster.Length; i++)
        {
            int v = raster[i];
            rgb[3 * i] = (byte)Tiff.GetR(v);
            rgb[3 * i + 1] = (byte)Tiff.GetG(v);
            rgb[3 * i + 2] = (byte)Tiff.GetB(v);
        }
        return new Rgb8Image(width, height, rgb);
    }

    private static int GetInt(Tiff tif, TiffTag tag, int fallback)
    {
        FieldValue[]? value = tif.GetField(tag);
        if (value is null || value.Length == 0) value = tif.GetFieldDefaulted(tag);
        return value is null || value.Length == 0 ? fallback : value[0].ToInt();
    }
}
