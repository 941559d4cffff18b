namespace WbcNca.Data;

/// <summary>Why a file or folder of a data set was not used.</summary>
public enum SkipReason
{
    /// <summary>A hidden file or folder (name starting with '.', or marked hidden).</summary>
    Hidden,

    /// <summary>A file whose extension is not an image type (.jpg .jpeg .png .bmp .tif .tiff).</summary>
    NotAnImage,

    /// <summary>A class the harmonised taxonomy leaves out (e.g. platelet, Acevedo-20 IG_ and NEUTROPHIL_, Matek-19 PMB).</summary>
    LeftOutClass,

    /// <summary>A folder or file-name prefix that names no known class.</summary>
    UnknownClass,

    /// <summary>A class folder that holds no image.</summary>
    EmptyClassFolder,

    /// <summary>A folder inside a class folder (class folders are read flat), or a file outside the class folders.</summary>
    Misplaced,

    /// <summary>A symbolic link that is broken, loops, or cannot be read.</summary>
    BadLink,
}
