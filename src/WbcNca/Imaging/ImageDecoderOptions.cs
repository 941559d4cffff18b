namespace WbcNca.Imaging;

/// <summary>Limits applied while decoding an image.</summary>
/// <param name="MaxPixels">
/// Largest accepted width·height. The size is read from the file's header and checked before any
/// pixel memory is allocated, so a small file that declares a huge image (a decompression bomb) is
/// rejected cheaply. The default, 64 Mi pixels, is far above any cell image.
/// </param>
public sealed record ImageDecoderOptions(long MaxPixels = ImageDecoderOptions.DefaultMaxPixels)
{
    /// <summary>Default limit on width·height: 64·1024·1024 pixels.</summary>
    public const long DefaultMaxPixels = 64L * 1024 * 1024;

    /// <summary>The default options.</summary>
    public static ImageDecoderOptions Default { get; } = new();
}
