using System.IO.Compression;

namespace WbcNca.Tests.Imaging;

/// <summary>
/// Writes PNGs of every colour type and bit depth byte by byte (signature, IHDR, optional PLTE/tRNS, one zlib IDAT,
/// IEND, each chunk with its CRC), for the layouts an encoder such as Skia's does not write: palette, 16-bit,
/// grayscale with alpha.
/// </summary>
internal static class PngWriter
{
    /// <summary>PNG colour types.</summary>
    public enum ColorType : byte
    {
        Gray = 0,
        Rgb = 2,
        Palette = 3,
        GrayAlpha = 4,
        Rgba = 6,
    }

    /// <summary>
    /// A PNG of <paramref name="width"/>×<paramref name="height"/> whose rows hold <paramref name="samples"/> as they are
    /// stored (interleaved samples, 16-bit ones big-endian, palette indices), unfiltered.
    /// </summary>
    public static byte[] Encode(int width, int height, ColorType type, int bitDepth, byte[] samples, byte[]? palette = null, byte[]? transparency = null)
    {
        int channels = type switch { ColorType.Gray or ColorType.Palette => 1, ColorType.GrayAlpha => 2, ColorType.Rgb => 3, _ => 4 };
        int rowBytes = (width * channels * bitDepth + 7) / 8;
        if (samples.Length != rowBytes * height) throw new ArgumentException($"expected {rowBytes * height} sample bytes, got {samples.Length}");
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BigEndian(ihdr, 0, (uint)width);
        BigEndian(ihdr, 4, (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)type;
        Chunk(ms, "IHDR", ihdr);
        if (palette is not null) Chunk(ms, "PLTE", palette);
        if (transparency is not null) Chunk(ms, "tRNS", transparency);
        using (var raw = new MemoryStream())
        {
            using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
                for (int y = 0; y < height; y++)
                {
                    z.WriteByte(0);                                   // filter: none
                    z.Write(samples, y * rowBytes, rowBytes);
                }
            Chunk(ms, "IDAT", raw.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>Writes a chunk: length, type, data, CRC-32 of type and data.</summary>
    public static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BigEndian(len, 0, (uint)data.Length);
        s.Write(len);
        byte[] body = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        s.Write(body);
        var crc = new byte[4];
        BigEndian(crc, 0, Crc32(body));
        s.Write(crc);
    }

    /// <summary>Writes <paramref name="v"/> big-endian at <paramref name="at"/>.</summary>
    public static void BigEndian(byte[] b, int at, uint v)
    {
        b[at] = (byte)(v >> 24); b[at + 1] = (byte)(v >> 16); b[at + 2] = (byte)(v >> 8); b[at + 3] = (byte)v;
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
