namespace WbcNca.Imaging;

/// <summary>An image container format, as recognised from a file's first bytes (never from its extension).</summary>
public enum ImageFormat
{
    /// <summary>Not a format this project reads.</summary>
    Unknown = 0,

    /// <summary>JPEG (starts FF D8 FF).</summary>
    Jpeg,

    /// <summary>PNG (starts 89 'PNG' 0D 0A 1A 0A).</summary>
    Png,

    /// <summary>Windows bitmap (starts 'BM').</summary>
    Bmp,

    /// <summary>TIFF or BigTIFF, either byte order (starts 'II*\0', 'MM\0*', 'II+\0' or 'MM\0+').</summary>
    Tiff,
}
