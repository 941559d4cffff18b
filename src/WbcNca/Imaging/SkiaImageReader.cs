using System.Runtime.InteropServices;
using SkiaSharp;

namespace WbcNca.Imaging;

/// <summary>Decodes JPEG, PNG and BMP with SkiaSharp's codecs, checking the declared size before decoding pixels.</summary>
internal static class SkiaImageReader
{
    /// <summary>Decodes <paramref name="data"/> (already recognised as <paramref name="format"/>) to 8-bit RGB.</summary>
    public static Rgb8Image Read(byte[] data, ImageFormat format, string sourceName, ImageDecoderOptions options)
    {
        string name = ImageDecoder.FormatName(format);
        if (format == ImageFormat.Bmp) CheckBmpHeader(data, sourceName, options);
        using SKData skData = SKData.CreateCopy(data);
        using SKCodec? codec = SKCodec.Create(skData);
        if (codec is null)
            throw new ImageLoadException(sourceName, $"truncated or corrupt {name} (cannot read its header)");

        SKImageInfo declared = codec.Info;
        ImageDecoder.CheckSize(sourceName, format, declared.Width, declared.Height, options);

        // Unpremultiplied RGBA and no colour space: raw stored values, alpha not applied, no ICC conversion (as PIL).
        var info = new SKImageInfo(declared.Width, declared.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        int width = info.Width, height = info.Height;
        byte[] rgba = new byte[checked(4 * width * height)];
        GCHandle pin = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        SKCodecResult result;
        try
        {
            result = codec.GetPixels(info, pin.AddrOfPinnedObject());
        }
        finally
        {
            pin.Free();
        }

        switch (result)
        {
            case SKCodecResult.Success:
                break;
            case SKCodecResult.IncompleteInput:
            case SKCodecResult.ErrorInInput:
                throw new ImageLoadException(sourceName, $"truncated or corrupt {name}");
            default:
                throw new ImageLoadException(sourceName, $"cannot decode this {name} ({result})");
        }

        byte[] rgb = new byte[3 * width * height];
        for (int i = 0, j = 0; j < rgb.Length; i += 4, j += 3)
        {
            rgb[j] = rgba[i];
            rgb[j + 1] = rgba[i + 1];
            rgb[j + 2] = rgba[i + 2];
        }
        return new Rgb8Image(width, height, rgb);
    }

    /// <summary>
    /// Checks the size a BMP header declares (Skia refuses huge ones as unreadable, which would hide that the file is a
    /// decompression bomb): BITMAPCOREHEADER (16-bit sizes) or BITMAPINFOHEADER and later (32-bit, negative height = top-down).
    /// </summary>
    private static void CheckBmpHeader(byte[] data, string sourceName, ImageDecoderOptions options)
    {
        if (data.Length < 26) return;
        int headerSize = BitConverter.ToInt32(data, 14);
        long width, height;
        if (headerSize == 12)
        {
            width = BitConverter.ToUInt16(data, 18);
            height = BitConverter.ToUInt16(data, 20);
        }
        else if (headerSize >= 40)
        {
            width = BitConverter.ToInt32(data, 18);
            height = Math.Abs((long)BitConverter.ToInt32(data, 22));
        }
        else return;
        if (width > 0 && height > 0) ImageDecoder.CheckSize(sourceName, ImageFormat.Bmp, width, height, options);
    }
}
