namespace WbcNca.Imaging;

/// <summary>
/// Reads JPEG, PNG, BMP and TIFF images into RGB. The format is recognised from the file's first
/// bytes, never from its extension. Alpha is dropped without compositing (as PIL's
/// <c>convert("RGB")</c> and the reference code's <c>np.array(image)[:, :, 0:3]</c> do), grayscale is
/// replicated to three channels, and 16-bit samples keep their high byte. Every failure (missing,
/// empty, truncated, corrupt, unknown format, too large) is an <see cref="ImageLoadException"/>
/// whose one-line message names the file and the problem.
/// </summary>
public static class ImageDecoder
{
    private static readonly string[] SupportedExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"];

    /// <summary>File extensions listed by <see cref="IsSupportedExtension"/> (lower case, with the dot).</summary>
    public static IReadOnlyList<string> Extensions => SupportedExtensions;

    /// <summary>Number of leading bytes <see cref="DetectFormat"/> needs.</summary>
    public const int SniffLength = 8;

    /// <summary>
    /// True when the path ends in .jpg, .jpeg, .png, .bmp, .tif or .tiff (any case). A cheap filter
    /// for listing folders; decoding still checks the content.
    /// </summary>
    public static bool IsSupportedExtension(string path)
    {
        string ext = System.IO.Path.GetExtension(path);
        foreach (string e in SupportedExtensions)
            if (string.Equals(ext, e, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Recognises the format from the first bytes of a file (at least <see cref="SniffLength"/> for PNG).</summary>
    public static ImageFormat DetectFormat(ReadOnlySpan<byte> header)
    {
        if (header.Length >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF) return ImageFormat.Jpeg;
        if (header.Length >= 8 && header[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return ImageFormat.Png;
        if (header.Length >= 4)
        {
            bool ii = header[0] == 0x49 && header[1] == 0x49 && (header[2] == 0x2A || header[2] == 0x2B) && header[3] == 0x00;
            bool mm = header[0] == 0x4D && header[1] == 0x4D && header[2] == 0x00 && (header[3] == 0x2A || header[3] == 0x2B);
            if (ii || mm) return ImageFormat.Tiff;
        }
        if (header.Length >= 2 && header[0] == 0x42 && header[1] == 0x4D) return ImageFormat.Bmp;
        return ImageFormat.Unknown;
    }

    /// <summary>
    /// Reads the first bytes of <paramref name="path"/> and recognises its format. Returns false (and
    /// <see cref="ImageFormat.Unknown"/>) when the file cannot be read or is not a supported format.
    /// </summary>
    public static bool TryReadFormat(string path, out ImageFormat format)
    {
        format = ImageFormat.Unknown;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            Span<byte> head = stackalloc byte[SniffLength];
            int n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            format = DetectFormat(head[..n]);
            return format != ImageFormat.Unknown;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Decodes the image file at <paramref name="path"/> into planar floats in [0, 1].</summary>
    /// <exception cref="ImageLoadException">The file cannot be read or decoded, or is too large.</exception>
    public static RgbImage Decode(string path, ImageDecoderOptions? options = null) => Decode8(path, options).ToRgbImage();

    /// <summary>Decodes an encoded image held in memory; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="ImageLoadException">The data cannot be decoded or is too large.</exception>
    public static RgbImage Decode(byte[] data, string sourceName, ImageDecoderOptions? options = null) => Decode8(data, sourceName, options).ToRgbImage();

    /// <summary>Decodes the image file at <paramref name="path"/> into 8-bit interleaved RGB (the form PIL resizes).</summary>
    /// <exception cref="ImageLoadException">The file cannot be read or decoded, or is too large.</exception>
    public static Rgb8Image Decode8(string path, ImageDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Decode8(ReadFile(path), path, options);
    }

    /// <summary>Decodes an encoded image held in memory into 8-bit interleaved RGB; <paramref name="sourceName"/> names it in errors.</summary>
    /// <exception cref="ImageLoadException">The data cannot be decoded or is too large.</exception>
    public static Rgb8Image Decode8(byte[] data, string sourceName, ImageDecoderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sourceName);
        options ??= ImageDecoderOptions.Default;
        if (data.Length == 0) throw new ImageLoadException(sourceName, "empty file (0 bytes)");
        ImageFormat format = DetectFormat(data);
        try
        {
            return format switch
            {
                ImageFormat.Jpeg or ImageFormat.Png or ImageFormat.Bmp => SkiaImageReader.Read(data, format, sourceName, options),
                ImageFormat.Tiff => TiffImageReader.Read(data, sourceName, options),
                _ => throw new ImageLoadException(sourceName, "not an image (unknown format; expected JPEG, PNG, BMP or TIFF)"),
            };
        }
        catch (ImageLoadException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ImageLoadException(sourceName, $"truncated or corrupt {FormatName(format)} ({ex.Message.ReplaceLineEndings(" ").TrimEnd('.')})", ex);
        }
        catch (OutOfMemoryException ex)
        {
            throw new ImageLoadException(sourceName, $"not enough memory to decode this {FormatName(format)}", ex);
        }
    }

    /// <summary>Name of a format as used in messages (JPEG, PNG, BMP, TIFF).</summary>
    internal static string FormatName(ImageFormat format) => format switch
    {
        ImageFormat.Jpeg => "JPEG",
        ImageFormat.Png => "PNG",
        ImageFormat.Bmp => "BMP",
        ImageFormat.Tiff => "TIFF",
        _ => "image",
    };

    /// <summary>Rejects a declared size above the limit, before any pixel memory is allocated.</summary>
    internal static void CheckSize(string sourceName, ImageFormat format, long width, long height, ImageDecoderOptions options)
    {
        if (width < 1 || height < 1)
            throw new ImageLoadException(sourceName, $"corrupt {FormatName(format)} (declares a {width}×{height} image)");
        if (width * height > options.MaxPixels || width > int.MaxValue / 4 || height > int.MaxValue / 4 || 3 * width * height > Array.MaxLength)
            throw new ImageLoadException(sourceName, $"image too large: {FormatName(format)} declares {width}×{height} pixels, more than the limit of {options.MaxPixels} pixels");
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path)) throw new ImageLoadException(path, "is a folder, not an image file");
            if (!info.Exists) throw new ImageLoadException(path, "file not found");
            if (info.Length > Array.MaxLength) throw new ImageLoadException(path, $"file too large ({info.Length} bytes)");
            return File.ReadAllBytes(path);
        }
        catch (ImageLoadException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            throw new ImageLoadException(path, $"cannot read file ({ex.Message})", ex);
        }
    }
}
