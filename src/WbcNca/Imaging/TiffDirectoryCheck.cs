namespace WbcNca.Imaging;

/// <summary>
/// Checks the first image directory of a TIFF before LibTiff.NET reads it: a tag that declares more values than the
/// whole file could hold is refused. LibTiff.NET allocates an array of the declared count before it finds the data missing,
/// so a 2 KB file whose SamplesPerPixel tag declares two billion values made it allocate and clear 4 GB (seconds of
/// work and a memory spike, found by the fuzz test); this check refuses such a file from its header, as the pixel
/// limit refuses a declared size.
/// </summary>
internal static class TiffDirectoryCheck
{
    /// <summary>Throws an <see cref="ImageLoadException"/> when a tag of the first directory declares more values than the whole file could hold.</summary>
    public static void Check(byte[] data, string sourceName)
    {
        if (data.Length < 8) return;
        bool little = data[0] == 0x49;
        bool big = (little ? data[2] : data[3]) == 0x2B;
        if (big && data.Length < 16) return;
        long ifd = big ? (long)U64(data, 8, little) : U32(data, 4, little);
        int countSize = big ? 8 : 2, entrySize = big ? 20 : 12, inline = big ? 8 : 4;   // values up to `inline` bytes sit in the entry
        if (ifd < 0 || ifd > data.Length - countSize) return;              // LibTiff reports a directory it cannot reach
        ulong entries = big ? U64(data, (int)ifd, little) : (ulong)U16(data, (int)ifd, little);
        for (ulong e = 0; e < entries; e++)
        {
            long at = ifd + countSize + (long)e * entrySize;
            if (at + entrySize > data.Length) return;                       // a cut directory: LibTiff reports it
            int tag = U16(data, (int)at, little), type = U16(data, (int)at + 2, little);
            ulong count = big ? U64(data, (int)at + 4, little) : U32(data, (int)at + 4, little);
            int size = TypeSize(type);
            if (size == 0) continue;                                        // unknown types are skipped by LibTiff too
            // More bytes than the whole file: certainly corrupt (a value merely past the end LibTiff reports or ignores itself).
            if ((decimal)count * size > Math.Max(data.Length, inline))
                throw new ImageLoadException(sourceName, $"truncated or corrupt TIFF (tag {tag} declares {count} values, more than the file's {data.Length} bytes could hold)");
        }
    }

    private static int TypeSize(int type) => type switch
    {
        1 or 2 or 6 or 7 => 1,          // BYTE, ASCII, SBYTE, UNDEFINED
        3 or 8 => 2,                    // SHORT, SSHORT
        4 or 9 or 11 or 13 => 4,        // LONG, SLONG, FLOAT, IFD
        5 or 10 or 12 or 16 or 17 or 18 => 8, // RATIONAL, SRATIONAL, DOUBLE, LONG8, SLONG8, IFD8
        _ => 0,
    };

    private static int U16(byte[] b, int at, bool little) => little ? b[at] | b[at + 1] << 8 : b[at] << 8 | b[at + 1];

    private static uint U32(byte[] b, int at, bool little) => little
        ? (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24)
        : (uint)(b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3]);

    private static ulong U64(byte[] b, int at, bool little) => little
        ? U32(b, at, true) | (ulong)U32(b, at + 4, true) << 32
        : (ulong)U32(b, at, false) << 32 | U32(b, at + 4, false);
}
