namespace WbcNca.Data;

/// <summary>Which files count as images (by extension, case-insensitive) and which are hidden.</summary>
public static class ImageFiles
{
    /// <summary>The image extensions, lower-case with the dot: .jpg .jpeg .png .bmp .tif .tiff.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"];

    /// <summary>True when the file name ends with one of <see cref="Extensions"/> (case-insensitive).</summary>
    public static bool IsImage(string fileName)
    {
        string ext = Path.GetExtension(fileName);
        foreach (string e in Extensions)
            if (string.Equals(e, ext, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>True for a name starting with '.' or an entry marked hidden by the file system.</summary>
    public static bool IsHidden(FileSystemInfo entry) =>
        entry.Name.StartsWith('.') || (entry.Exists && entry.Attributes.HasFlag(FileAttributes.Hidden));
}
